"""The JSON shape of ``stockade analyze --json`` (stockade.pipeline.report)."""

from __future__ import annotations

import json

from stockade.engine.correlation import Correlator
from stockade.pipeline.analyze import Analysis
from stockade.pipeline.report import alert_record, fold_incidents, incident_record, json_line, records
from tests.unit.engine.correlation_helpers import alert, at

ENTITY_LISTS = ["people", "credentials", "doors", "zones", "epcs", "devices", "shipments", "vendors",
                "trucks"]


def test_an_alert_line_has_exactly_the_designed_fields() -> None:
    a = alert("al-1", "STK-DOR-001", "high", 4, doors=["D-DOCK-2"])
    line = json.loads(json_line(alert_record(a)))
    assert list(line) == ["type", "id", "detector", "severity", "ts", "entities", "evidence", "summary"]
    assert line["type"] == "alert"
    assert line["ts"] == "2026-11-21T02:04:00+01:00"
    assert list(line["entities"]) == ENTITY_LISTS
    assert line["entities"]["doors"] == ["D-DOCK-2"]
    assert line["entities"]["people"] == []
    assert line["evidence"] == ["ev-al-1"]


def test_an_incident_line_carries_its_stable_id_opening_time_and_span() -> None:
    c = Correlator()
    [v1] = c.observe(alert("al-1", "STK-DEV-001", "medium", 0, devices=["C-DOCK-1"]))
    [v2] = c.observe(alert("al-2", "STK-DOR-001", "high", 5, devices=["C-DOCK-1"], doors=["D-DOCK-2"]))
    [state] = fold_incidents([v1, v2])
    line = json.loads(json_line(incident_record(state)))
    assert list(line) == ["type", "id", "pattern", "severity", "ts", "start", "end", "entities", "alerts",
                          "evidence", "summary", "site", "status", "version", "assignee", "disposition",
                          "duplicate_of", "tasks", "steps", "sla", "history"]
    assert (line["status"], line["version"], line["sla"]["time_to_detect_s"]) == ("new", 2, 0.0)
    assert line["type"] == "incident"
    assert line["id"] == v1.incident
    assert (line["pattern"], line["severity"]) == ("blind_and_grab", "critical")
    assert (line["ts"], line["start"], line["end"]) == (
        "2026-11-21T02:00:00+01:00", "2026-11-21T02:00:00+01:00", "2026-11-21T02:05:00+01:00")
    assert line["alerts"] == ["al-1", "al-2"]
    assert line["evidence"] == ["ev-al-1", "ev-al-2"]
    assert list(line["entities"]) == ENTITY_LISTS


def test_records_list_alerts_then_incidents() -> None:
    a = alert("al-1", "STK-ACC-003", "high", 0, people=["p"])
    [inc] = Correlator().observe(a)
    analysis = Analysis(alerts=[a], incidents=[inc], versions=[inc], opened={inc.incident: at(0)})
    assert [(r.type, r.id) for r in records(analysis)] == [("alert", "al-1"), ("incident", inc.incident)]
