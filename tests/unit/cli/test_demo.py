"""What the demo prints beside its feed: local times with their offset, and how to get `stockade`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stockade.cli.demo import local_time, path_hint


def test_feed_times_are_the_sites_local_time_with_its_offset() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert local_time(datetime(2026, 11, 17, 6, 2, 29, tzinfo=UTC), paris) == "11-17 07:02:29+01:00"
    assert local_time(datetime(2026, 7, 1, 6, 2, 29, tzinfo=UTC), paris) == "07-01 08:02:29+02:00"


def test_path_hint_says_how_to_activate_the_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / ".venv" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "activate").write_text("# venv\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    hint = path_hint(bindir / "python")
    assert hint is not None
    assert "source .venv/bin/activate" in hint


def test_no_hint_when_stockade_is_already_on_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "stockade"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    assert path_hint(bindir / "python") is None
