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
    assert result.exit_code == 1
    assert "invalid site file" in result.stderr
    result = runner.invoke(app, ["analyze", "--site", str(demo_site_path), str(tmp_path / "nope.ndjson")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr
