"""What the demo leaves behind is ignored by git and removed by `make clean`."""

from __future__ import annotations

import re
from pathlib import Path

from stockade.cli.demo import demo

ROOT = Path(__file__).resolve().parents[2]


def _default_data_dir() -> str:
    import inspect

    return str(inspect.signature(demo).parameters["data_dir"].default)


def test_the_demo_directory_is_ignored_and_cleaned() -> None:
    name = _default_data_dir()
    assert f"{name}/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    clean = re.search(r"^clean:\n\trm -rf (.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert clean is not None
    assert name in clean.group(1).split()
