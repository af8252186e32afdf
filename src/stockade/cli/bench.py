"""``stockade bench [NAME…]``: run the benchmarks of a source checkout (same as ``make bench``)."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from typing import Annotated

import typer

from stockade.cli.app import app
from stockade.cli.common import fail

CHECKOUT = Path(__file__).resolve().parents[3]


@app.command()
def bench(
    names: Annotated[list[str] | None, typer.Argument(help="benchmarks to run; all if none")] = None,
) -> None:
    """Run the benchmarks: tables on the terminal, JSON under bench/results/."""
    if not (CHECKOUT / "bench" / "__main__.py").exists():
        raise fail(f"the benchmarks come with the source checkout; {CHECKOUT / 'bench'} is not there")
    available = sorted(p.stem.removeprefix("bench_") for p in (CHECKOUT / "bench").glob("bench_*.py"))
    unknown = [n for n in names or () if n not in available]
    if unknown:
        raise fail(f"no benchmark {', '.join(unknown)}; there are: {', '.join(available)}")
    # run the checkout's bench package in this interpreter, as `python -m bench NAME…` from the checkout
    os.chdir(CHECKOUT)
    sys.path.insert(0, str(CHECKOUT))
    sys.argv = ["bench", *(names or [])]
    try:
        runpy.run_module("bench", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        raise typer.Exit(e.code if isinstance(e.code, int) else 1) from None
    raise typer.Exit(0)
