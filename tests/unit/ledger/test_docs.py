"""The examples in the ledger modules' docstrings run (those not marked +SKIP)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["merkle", "tiles", "note", "checkpoint", "cosignature", "vkey", "audit", "seal"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"stockade.ledger.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def test_ledger_doc_names_every_cli_command() -> None:
    from pathlib import Path
    text = (Path(__file__).resolve().parents[3] / "docs" / "ledger.md").read_text()
    for cmd in ("keys show --vkey", "keys rotate", "keys add-device", "ledger verify", "ledger prove",
                "ledger verify-proof", "ledger audit", "ledger checkpoint", "witness serve",
                "witness trust-log", "witness add-peer", "witness vkey"):
        assert f"stockade {cmd}" in text, cmd
