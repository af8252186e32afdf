"""tests/shared_vectors.py: the shared vectors are found from any checkout, and missing ones fail CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared_vectors import MACHINE_SHARED, REPO, shared_dir, vectors


def test_the_shared_folder_is_found_above_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STOCKADE_SHARED", raising=False)
    found = shared_dir()
    assert found is not None, "no shared/ above this checkout, nor at /work/shared"
    assert (found / "vectors").is_dir()
    assert REPO.is_relative_to(found.parent) or found == MACHINE_SHARED  # a clone elsewhere uses the machine's


def test_missing_vectors_fail_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STOCKADE_SHARED", str(tmp_path))
    (tmp_path / "vectors" / "merkle").mkdir(parents=True)
    assert vectors("merkle") == tmp_path / "vectors" / "merkle"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(FileNotFoundError, match="STOCKADE_SHARED"):
        vectors("signed-note")  # outside CI too: never a silent skip
