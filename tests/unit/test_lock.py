"""The lock files hold every dependency pyproject.toml declares, pinned with hashes.

`make test` and `make demo` install requirements-test.lock with --require-hashes; a dependency
added to pyproject.toml without `make lock` would be missing from a fresh machine's install.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ \\]+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", re.M)


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    found = {canonicalize_name(m.group(1)): m.group(2) for m in _PIN.finditer(text)}
    names = re.findall(r"^([A-Za-z0-9._-]+)==", text, re.M)
    assert len(found) == len(names), f"{lock}: every pin must carry sha256 hashes"
    return found


@pytest.mark.parametrize(("lock", "declared"), [
    ("requirements.lock", PYPROJECT["project"]["dependencies"]),
    ("requirements-test.lock", PYPROJECT["project"]["dependencies"]
     + PYPROJECT["project"]["optional-dependencies"]["test"]),
])
def test_every_declared_dependency_is_locked_with_hashes(lock: str, declared: list[str]) -> None:
    locked = pins(lock)
    missing = []
    for spec in declared:
        req = Requirement(spec)
        version = locked.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            missing.append(f"{spec} (locked: {version})")
    assert missing == [], f"{lock} is out of date with pyproject.toml: run `make lock`"
