"""Issue 18.2, performed against the API: Stockade's outputs cannot be suppressed by claiming their ids.

Alert and incident ids are predictable (a replay must write the same ones), and
the log drops a repeated id as a duplicate. The attack: work out the ids the
next forced door will produce (here with ``analyze`` over the same event, as an
attacker could), post two harmless events with those ids first, then force the
door. It fails: the ids are in Stockade's own space, refused at ingest, and the
alert and the incident are raised and stored under exactly those ids.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
import pytest

from stockade.events import Door, decode_event
from stockade.node.ingest import Ingestor
from stockade.pipeline.analyze import analyze
from tests.node_fixtures import Api, door_line, wait_projected


def test_posting_the_next_alert_and_incident_ids_first_suppresses_nothing(api: Api) -> None:
    forced = door_line("forced-1", state="forced")
    event = decode_event(forced)
    predicted = analyze(api.node.sites["dc-demo"], [event])
    (alert,) = predicted.alerts
    (version,) = predicted.versions
    decoys = [door_line(alert.id, state="closed"), door_line(version.id, state="closed")]
    r = api.client.post("/v1/events", content=b"\n".join(decoys), headers=api.auth("ingest"))
    assert r.status_code == 403
    for result in r.json()["results"]:
        assert result["status"] == "rejected"
        assert result["field"] == "id"
        assert "are Stockade's own" in result["reason"]
    assert api.client.post("/v1/events", content=forced, headers=api.auth("ingest")).json()["accepted"] == 1
    wait_projected(api.node, "dc-demo")
    alert_row = api.node.store.get("dc-demo", alert.id)
    assert alert_row is not None
    assert alert_row.event.kind == "alert"
    incident_row = api.node.store.get("dc-demo", version.id)
    assert incident_row is not None
    assert incident_row.event.kind == "incident"
    alerts = api.client.get("/v1/alerts", params={"site": "dc-demo"}, headers=api.auth("read")).json()["items"]
    assert [a["event"]["id"] for a in alerts] == [alert.id]
    incidents = api.client.get("/v1/incidents", params={"site": "dc-demo"}, headers=api.auth("read")).json()
    assert [i["incident"] for i in incidents["items"]] == [version.incident]


def test_stockade_writes_nothing_outside_its_id_space(api: Api) -> None:
    stray = Door(id="f-1", ts=datetime.fromisoformat("2026-11-23T02:00:00+01:00"), site="dc-demo",
                 source="stockade:test", door="D-HV", state="open")
    ingestor: Ingestor = api.node.ingestor
    with pytest.raises(ValueError, match="needs an id beginning with one of"):
        ingestor.write_outputs("dc-demo", [stray])
    assert api.node.store.get("dc-demo", "f-1") is None


def test_the_reason_names_the_id_space(api: Api) -> None:
    line = msgspec.json.encode({**msgspec.json.decode(door_line("x")), "id": "dec-0000"})
    result = api.client.post("/v1/events", content=line, headers=api.auth("ingest")).json()["results"][0]
    assert "'dec-' are Stockade's own (access decisions)" in result["reason"]
