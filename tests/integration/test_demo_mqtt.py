"""`stockade demo --headless --mqtt`: the devices, a simulated Frigate and door controllers publish over the
local Mosquitto, and the blinding of the cameras arrives as Frigate status and becomes the critical incident."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from stockade.cli import app

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]


def test_mqtt_demo_catches_the_blind_and_grab_through_frigate(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--headless", "--mqtt", "--duration", "0", "--port", "0",
                                      "--data-dir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "critical blind_and_grab" in out
    assert "connector frigate:" in out
    assert "0 refused" in out
    with sqlite3.connect(tmp_path / "demo" / "stockade.db") as db:
        entries = [msgspec.json.decode(e) for (e,) in db.execute("SELECT entry FROM events WHERE kind='device'")]
    from_frigate = [e for e in entries if str(e.get("detail", "")).startswith("Frigate")]
    assert any(e["status"] in ("offline", "recording_stopped") for e in from_frigate)
    assert any(e["device"].startswith("CTL-") and e["status"] == "online" for e in entries)
