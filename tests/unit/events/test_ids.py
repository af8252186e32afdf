"""Stockade's own id space (events/ids.py): every id Stockade makes is in it, no input id is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stockade.access.pdp import new_decision_id
from stockade.access.threat import ThreatLevels
from stockade.api.routers.admin import new_admin_id
from stockade.detectors.base import alert_id
from stockade.events import decode_event
from stockade.events.ids import OUTPUT_ID_PREFIXES, is_output_id, reserved_reason
from stockade.pipeline.analyze import analyze
from stockade.sim.run import ListSink, simulate
from stockade.sim.scenario import load_scenario
from stockade.site import load_site
from tests.conftest import ROOT


def test_every_id_stockade_makes_is_in_its_own_space() -> None:
    made = [alert_id("STK-DOR-001", ["f1"]), new_decision_id(), new_admin_id(),
            ThreatLevels("dc-demo").set("lockdown", actor="a", at=datetime.now(UTC)).id]
    assert all(is_output_id(i) for i in made), made


def test_incident_versions_are_in_the_space() -> None:
    forced = decode_event(b'{"id":"f1","kind":"door","ts":"2026-11-23T02:00:00+01:00","site":"dc-demo",'
                          b'"source":"ctl-1","door":"D-HV","state":"forced"}')
    result = analyze(load_site(ROOT / "examples" / "sites" / "dc-demo.yaml"), [forced])
    assert result.versions
    assert all(is_output_id(v.id) for v in [*result.alerts, *result.versions])


def test_no_simulated_input_uses_an_output_prefix() -> None:
    sink = ListSink()
    simulate(load_scenario(ROOT / "examples" / "scenarios" / "attack-self-grant.yaml"), sink)
    assert sink.events
    assert not [e.id for e in sink.events if is_output_id(e.id)]


@pytest.mark.parametrize("prefix", list(OUTPUT_ID_PREFIXES))
def test_each_prefix_is_named_in_the_reason(prefix: str) -> None:
    event_id = f"{prefix}0001"
    assert is_output_id(event_id)
    reason = reserved_reason(event_id)
    assert reason.startswith("forbidden: ")
    assert repr(prefix) in reason
    assert OUTPUT_ID_PREFIXES[prefix] in reason


def test_ordinary_input_ids_are_free() -> None:
    for event_id in ("ctl1-88121", "epcis:3f2a", "alarm-1", "incoming-7", "AL-1", "decision"):
        assert not is_output_id(event_id), event_id
