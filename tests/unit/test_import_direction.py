"""Imports point down the layer list only (STYLE.md "The house"), checked by an AST walk.

A module of one package may import its own package, the packages listed before
it, and ``stockade.errors``. The engine and the detectors never import the API,
a connector or a store; only the API and the CLI wire things together.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "stockade"

LAYERS = [
    "events", "site", "ledger", "engine", "detectors", "incidents", "inventory", "access", "response",
    "pipeline", "connectors", "store", "reports", "node", "api", "web", "sim", "cli",
]
ALWAYS_ALLOWED = {"errors", "__init__"}


def _package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _stockade_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "stockade" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def test_every_top_level_package_has_a_layer() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), f"add {packages - set(LAYERS)} to LAYERS (and to STYLE.md's order)"


def test_imports_point_down_the_layers() -> None:
    violations = []
    for path in sorted(SRC.rglob("*.py")):
        package = _package_of(path)
        if package not in LAYERS:
            continue
        rank = LAYERS.index(package)
        for line, target in _stockade_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if target in ALWAYS_ALLOWED or target == package:
                continue
            if target not in LAYERS or LAYERS.index(target) > rank:
                violations.append(f"{path.relative_to(SRC.parent)}:{line}: {package} imports {target}")
    assert not violations, "imports against the layer order:\n" + "\n".join(violations)


def test_events_import_nothing_else_of_stockade() -> None:
    for path in (SRC / "events").rglob("*.py"):
        targets = {t for _, t in _stockade_imports(ast.parse(path.read_text(encoding="utf-8")))}
        assert targets <= {"events", "errors"}, f"{path.name} imports {targets}"


def test_connectors_never_import_one_another() -> None:
    """Each folder under connectors/ (one outside system) may import the shared modules beside the
    folders (base, broker, pump, errors, settings) but no other connector's folder."""
    root = SRC / "connectors"
    folders = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    violations = []
    for folder in folders:
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                         else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
                for name in names:
                    parts = name.split(".")
                    if parts[:2] == ["stockade", "connectors"] and len(parts) > 2 and parts[2] in folders - {folder}:
                        violations.append(f"{path.relative_to(SRC.parent)}:{node.lineno}: {folder} imports {parts[2]}")
    assert not violations, "connectors importing one another:\n" + "\n".join(violations)
