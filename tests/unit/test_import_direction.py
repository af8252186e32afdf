"""Imports point down the layer list only (STYLE.md "The house"), checked by an AST walk.

A module of one package may import its own package, the packages listed before
it, and ``stockade.errors``. The engine and the detectors never import the API,
a connector or a store; only the API and the CLI wire things together.

On top of the order, each package has an allow-list of the packages it may
import (as Home Assistant's ``hassfest`` checks each integration's declared
dependencies): a new arrow is a decision written here, with its reason, not an
accident. Connectors never import one another; each detector file imports only
the detectors' shared modules; the web layer reads what the API serves (its
types and its routes), checks the ledger as an auditor would, and only its
factory takes the node.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "stockade"

LAYERS = [
    "events", "site", "ledger", "engine", "detectors", "incidents", "inventory", "access", "response",
    "pipeline", "connectors", "store", "reports", "node", "api", "web", "sim", "cli",
]
ALWAYS_ALLOWED = {"errors", "__init__"}

_BELOW_API = {"events", "site", "ledger", "engine", "detectors", "incidents", "inventory", "access", "response",
              "pipeline", "connectors", "store", "reports"}
ALLOWED: dict[str, set[str]] = {
    "events": set(),  # SEF/1 types know nothing of the rest
    "site": {"events"},
    "ledger": {"events"},
    "engine": {"events", "site"},  # pure folds: never the API, a connector or a store
    "detectors": {"events", "site", "engine"},
    "incidents": {"events", "site"},
    "inventory": {"events", "site"},
    "access": {"events", "site"},  # the decision point reads the same live site as the engine (site/live)
    "response": {"events", "site", "ledger", "incidents"},  # ports are defined here, implemented by connectors
    "pipeline": {"events", "site", "ledger", "engine", "detectors", "incidents", "response"},
    "connectors": {"events", "site", "response"},  # they implement response's ports
    "store": {"events", "site", "ledger", "incidents", "inventory"},
    "reports": {"events", "site", "ledger", "incidents", "inventory", "store"},
    "node": _BELOW_API,  # the composition roots
    "api": (_BELOW_API - {"engine", "detectors", "connectors"}) | {"node"},  # engine, connectors: via the node
    "web": {"api", "ledger"},  # what the API serves, and the ledger verifier that checks it as an auditor would
    "sim": _BELOW_API | {"node"},
    "cli": set(LAYERS) - {"cli"},  # wires everything
    "__main__": {"cli"},
    "__init__": set(),
    "errors": set(),
}
MODULE_ALLOWED: dict[str, set[str]] = {
    "web/app.py": {"node"},  # the dashboard's factory takes the node it serves, as api/app.py does
    "store/outbox.py": {"connectors"},  # the webhook outbox's row type lives with the webhook connector
    "web/admin.py": {"node"},  # the scopes' names and help, the constants the CLI and the keys API use
    "web/charts.py": {"engine"},  # a person's risk curve: the engine's pure RiskModel over alerts the API served
}
"""Arrows one module may draw beyond its package's list: each says why."""


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


def test_every_package_has_an_allow_list_that_points_down() -> None:
    assert set(LAYERS) <= set(ALLOWED), f"give {set(LAYERS) - set(ALLOWED)} an allow-list"
    for package, targets in ALLOWED.items():
        rank = LAYERS.index(package) if package in LAYERS else len(LAYERS)
        upward = {t for t in targets if LAYERS.index(t) >= rank}
        assert not upward, f"{package} may not be allowed {upward}: they stand after it in the house"
    for module, targets in MODULE_ALLOWED.items():
        assert (SRC / module).exists(), f"{module} is gone: drop it from MODULE_ALLOWED"
        assert all(LAYERS.index(t) < LAYERS.index(module.split("/")[0]) for t in targets), module


def _outside_allow_list(module: str, source: str) -> list[str]:
    """``module`` (a path under src/stockade) with ``source``: its imports its allow-lists do not name."""
    package = module.split("/")[0] if "/" in module else module.removesuffix(".py")
    allowed = ALLOWED[package] | MODULE_ALLOWED.get(module, set()) | ALWAYS_ALLOWED | {package}
    return [f"{module}:{line}: {package} imports {target} (allowed: {', '.join(sorted(ALLOWED[package])) or '-'})"
            for line, target in _stockade_imports(ast.parse(source)) if target not in allowed]


def test_the_allow_list_check_catches_an_engine_reaching_for_the_store() -> None:
    assert _outside_allow_list("engine/x.py", "from stockade.store import Store\nfrom stockade.site import S\n") == [
        "engine/x.py:1: engine imports store (allowed: events, site)"]
    assert _outside_allow_list("web/pages.py", "import stockade.node.runtime\n")
    assert not _outside_allow_list("web/app.py", "from stockade.node.runtime import Node\n")


def test_each_package_imports_only_what_its_allow_list_names() -> None:
    violations = []
    for path in sorted(SRC.rglob("*.py")):
        violations += _outside_allow_list(path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8"))
    assert not violations, "imports outside the allow-lists:\n" + "\n".join(violations)


def test_unused_module_allowances_are_dropped() -> None:
    for module, targets in MODULE_ALLOWED.items():
        found = {t for _, t in _stockade_imports(ast.parse((SRC / module).read_text(encoding="utf-8")))}
        assert targets <= found, f"{module} no longer imports {targets - found}: drop it from MODULE_ALLOWED"


def test_no_detector_imports_another() -> None:
    """One file per detector (``dor_001_forced_door.py``): it may import the detectors' shared modules
    (base, registry, bursts, planned work, …), never another detector's file."""
    detector = re.compile(r"^[a-z]{3}_\d{3}_\w+$")
    violations = []
    for path in sorted((SRC / "detectors").glob("*.py")):
        if not detector.match(path.stem):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stockade.detectors.")
                    and detector.match(node.module.split(".")[2])):
                violations.append(f"{path.name}:{node.lineno}: imports {node.module}")
    assert not violations, "detectors importing one another:\n" + "\n".join(violations)


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
