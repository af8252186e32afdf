"""``stockade analyze``: files in, alerts and incidents out (stockade.cli.analyze)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from stockade.cli import app

runner = CliRunner()

LINES = [
    '{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00+01:00","site":"dc-demo","source":"bus"}',
    '{"id":"e2","kind":"door","ts":"2026-11-21T02:01:00+01:00","site":"dc-demo","source":"ctl","door":"D-HV",'
    '"state":"ajar"}',
    "",
    '{"id":"e3","kind":"tick","ts":"2026-11-21T02:02:00+01:00","site":"dc-demo","source":"bus"}',
    '{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00+01:00","site":"dc-demo","source":"bus"}',
]


def write_events(tmp_path: Path) -> Path:
    path = tmp_path / "night.ndjson"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_json_mode_prints_one_object_per_line_and_reports_bad_lines(
    tmp_path: Path, demo_site_path: Path
) -> None:
    events = write_events(tmp_path)
    result = runner.invoke(app, ["analyze", "--site", str(demo_site_path), str(events), "--json"])
    assert result.exit_code == 0, result.output
    assert f"{events}:2: state: Invalid enum value 'ajar'" in result.stderr
    assert "4 lines: 2 valid, 1 bad, 1 duplicate" in result.stderr
    for line in result.stdout.splitlines():
        record = json.loads(line)
        assert record["type"] in ("alert", "incident")
        assert len(record["entities"]) == 9


def test_table_mode_prints_alerts_and_incidents(tmp_path: Path, demo_site_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "--site", str(demo_site_path), str(write_events(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Alerts" in result.stdout
    assert "Incidents" in result.stdout
    assert "2 events analysed" in result.stderr


def test_a_bad_site_file_or_a_missing_events_file_fails_clearly(tmp_path: Path, demo_site_path: Path) -> None:
    bad_site = tmp_path / "site.yaml"
    bad_site.write_text("site: x\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", "--site", str(bad_site), str(write_events(tmp_path))])
    assert result.exit_code == 2
    assert "invalid site file" in result.stderr
    result = runner.invoke(app, ["analyze", "--site", str(demo_site_path), str(tmp_path / "nope.ndjson")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def blind_and_grab_night(tmp_path: Path) -> Path:
    """Cameras on the outbound dock go dark, a dock door is forced, 25 tagged items leave."""
    events: list[dict[str, object]] = []

    def add(ts: str, kind: str, source: str, **fields: object) -> None:
        events.append({"id": f"t{len(events)}", "kind": kind, "ts": f"2026-11-21T{ts}+01:00",
                       "site": "dc-demo", "source": source, **fields})

    epcs = [f"urn:epc:id:sgtin:0614141.107346.{n}" for n in range(2000, 2025)]
    add("01:00:00", "stock", "wms", op="receive", to="storage", epcs=epcs, reason="opening_balance")
    add("02:00:00", "device", "nvr", device="C-DOCKOUT-1", status="offline")
    add("02:00:20", "device", "nvr", device="C-DOCKOUT-2", status="recording_stopped")
    add("02:05:00", "door", "ctl", door="D-YARD-DOCKOUT", state="forced")
    for k, epc in enumerate(epcs):
        add(f"02:10:{k:02d}", "tag", "R-DOCKOUT-1", reader="R-DOCKOUT-1", epc=epc, direction="out")
    path = tmp_path / "night.ndjson"
    path.write_text("\n".join(json.dumps(e) for e in reversed(events)) + "\n", encoding="utf-8")
    return path


def test_a_blind_and_grab_night_is_one_critical_incident_and_replays_identically(
    tmp_path: Path, demo_site_path: Path
) -> None:
    args = ["analyze", "--site", str(demo_site_path), str(blind_and_grab_night(tmp_path)), "--json"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout  # same events, same alerts, same incident ids and content
    records = [json.loads(line) for line in first.stdout.splitlines()]
    alerts = {r["id"]: r for r in records if r["type"] == "alert"}
    [incident] = [r for r in records if r["type"] == "incident"]
    assert (incident["pattern"], incident["severity"]) == ("blind_and_grab", "critical")
    assert {alerts[a]["detector"] for a in incident["alerts"]} >= {"STK-DEV-001", "STK-DOR-001", "STK-INV-001"}
    assert incident["ts"] == incident["start"] == "2026-11-21T02:00:20+01:00"
    assert "dock-out" in incident["entities"]["zones"]
    assert "C-DOCKOUT-1" in incident["entities"]["devices"]
