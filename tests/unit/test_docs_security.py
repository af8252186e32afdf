"""docs/security.md names, for each promise, the test that backs it: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECURITY = ROOT / "docs" / "security.md"
REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_named_in_docs_security_exists() -> None:
    refs = REF.findall(SECURITY.read_text(encoding="utf-8"))
    assert len(refs) >= 20
    for path, name in refs:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{path}::{name} is named but not defined"
