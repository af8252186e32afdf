"""docs/architecture.md: every module it names exists, and so does every function or class it names there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def test_every_module_the_flow_names_exists() -> None:
    named = re.findall(r"`(src/stockade/[\w/]+\.py)`", DOC.read_text(encoding="utf-8"))
    assert len(named) >= 30
    missing = sorted({path for path in named if not (ROOT / path).is_file()})
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_the_names_given_beside_a_module_are_defined_in_it() -> None:
    """`module.py` (`Name` …) or `module.py`, `name`: the name is a def, class or method in that module."""
    text = DOC.read_text(encoding="utf-8").replace("\n", " ")
    pairs = re.findall(r"`(src/stockade/[\w/]+\.py)`\s*(?:\(|,)\s*`([A-Za-z_][\w.]*)`", text)
    assert len(pairs) >= 5
    for path, name in pairs:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        kinds = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        defined = {n.name for n in ast.walk(tree) if isinstance(n, kinds)}
        defined |= {f"{c.name}.{f.name}" for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
                    for f in c.body if isinstance(f, ast.FunctionDef)}
        assert name in defined, f"docs/architecture.md: {name} is not defined in {path}"
