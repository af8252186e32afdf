"""`stockade demo --headless --mqtt`: the devices, a simulated Frigate and door controllers publish over the
local Mosquitto, the blinding of the cameras arrives as Frigate status and becomes the critical incident, and
the lockdown, approved over the API, reaches the simulated controllers as signed commands that they verify
with the reference verifier, acknowledge, and answer with ``LOCKED`` on the doors' state topics."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from stockade.cli import app

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]


def test_mqtt_demo_catches_the_blind_and_grab_through_frigate_and_locks_the_doors(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--headless", "--mqtt", "--duration", "0", "--port", "0",
                                      "--data-dir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "critical blind_and_grab" in out
    assert "connector frigate:" in out
    assert "0 refused" in out
    with sqlite3.connect(tmp_path / "demo" / "stockade.db") as db:
        entries = [msgspec.json.decode(e) for (e,) in db.execute(
            "SELECT entry FROM events WHERE kind IN ('device', 'door', 'action') ORDER BY seq")]
    from_frigate = [e for e in entries if e["kind"] == "device" and str(e.get("detail", "")).startswith("Frigate")]
    assert any(e["status"] in ("offline", "recording_stopped") for e in from_frigate)
    assert any(e["kind"] == "device" and e["device"].startswith("CTL-") and e["status"] == "online"
               for e in entries)

    lockdown = re.search(r"approve-lock approved over the API \(HTTP 200\); (\d+) signed LOCK commands verified "
                         r"by (\d+) controllers, 0 refused, (\d+) acknowledged to the node; "
                         r"reported LOCKED: ([A-Z0-9, -]+)", out)
    assert lockdown is not None, out
    verified, acked = int(lockdown[1]), int(lockdown[3])
    reported = {d.strip() for d in lockdown[4].split(",")}
    assert verified >= 1
    assert acked == verified
    sent = [e for e in entries if e["kind"] == "action" and e.get("target") == "blind-and-grab:lock"
            and e.get("outcome") == "sent"]
    assert len(sent) == 1, "the lock step is carried out once, through the MQTT door-control port"
    for door in ("D-DOCKIN", "D-HV"):  # the dock and the cage the blind-and-grab went through
        assert door in sent[0]["detail"]
        assert door in reported
    logged = {e["door"] for e in entries if e["kind"] == "door" and e["state"] == "locked"
              and e.get("attrs", {}).get("ha_state") == "LOCKED"}
    assert reported <= logged, "each LOCKED state the controllers published came back in as a door event"
