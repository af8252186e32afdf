"""`stockade demo --headless` runs the whole flow: simulate, serve, stream over HTTP, detect, verify."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from stockade.cli import app


def test_headless_demo_catches_the_night_blind_and_grab(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--headless", "--duration", "0", "--port", "0",
                                      "--data-dir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "critical blind_and_grab" in out
    assert "every tile verified" in out
    keys = {line.split()[0]: line for line in result.output.splitlines() if " stk_" in line}
    assert set(keys) == {"admin", "ingest", "pep"}, result.output  # issue 9.6: one line each, what it is for
    assert "cannot post events or ask for decisions" in keys["admin"]
    assert "POST /v1/events" in keys["ingest"]
    assert "POST /v1/access/decide" in keys["pep"]
    again = CliRunner().invoke(app, ["demo", "--headless", "--duration", "0", "--port", "0",
                                     "--data-dir", str(tmp_path / "demo")])
    assert again.exit_code == 0, "a second run replaces the previous demo directory"


def test_demo_refuses_a_directory_it_did_not_create(tmp_path: Path) -> None:
    (tmp_path / "precious").mkdir()
    result = CliRunner().invoke(app, ["demo", "--headless", "--data-dir", str(tmp_path / "precious")])
    assert result.exit_code == 1
    assert "not a demo directory" in result.output
