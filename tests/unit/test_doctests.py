"""Every example in a docstring under src/ runs and is true (STYLE.md: docs that are tested).

An example that needs a broker, a running node or another outside system says so
with ``# doctest: +SKIP`` on each of its lines; everything else runs here.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
MODULES = sorted(
    ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
    for path in (SRC / "stockade").rglob("*.py") if path.name != "__main__.py"
)


@pytest.mark.parametrize("name", MODULES)
def test_the_modules_examples_are_true(name: str) -> None:
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=False)
    assert failed == 0, f"{failed} example(s) of {name} are not true (the failures are printed above)"
