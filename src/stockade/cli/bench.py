"""``stockade bench [NAME…]``: run the benchmarks of a source checkout (same as ``make bench``)."""

from __future__ import annotations

import subprocess
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
    result = subprocess.run([sys.executable, "-m", "bench", *(names or [])], cwd=CHECKOUT, check=False)
    raise typer.Exit(result.returncode)
