"""Outputs too large for one log entry keep their identity and have their longest lists cut."""

from __future__ import annotations

from datetime import UTC, datetime

from stockade.events import Alert, Entities, canonical_event
from stockade.events.bounds import fit
from stockade.ledger.tiles import MAX_ENTRY


def big_alert(n: int) -> Alert:
    epcs = tuple(f"urn:epc:id:sgtin:0614141.107346.{i}" for i in range(n))
    return Alert(id="al-1", ts=datetime(2026, 11, 21, tzinfo=UTC), site="s", source="stockade",
                 detector="STK-INV-002", severity="high", entities=Entities(zones=("storage",), epcs=epcs),
                 evidence=("count-1",), summary="Count of storage found 0 of 5000 expected tags")


def test_a_small_output_is_unchanged() -> None:
    alert = big_alert(10)
    assert fit(alert, MAX_ENTRY) is alert


def test_a_large_output_is_cut_to_fit_and_says_so() -> None:
    alert = big_alert(5000)
    assert len(canonical_event(alert)) > MAX_ENTRY
    small = fit(alert, MAX_ENTRY)
    assert isinstance(small, Alert)
    assert len(canonical_event(small)) <= MAX_ENTRY
    assert small.id == alert.id
    assert small.summary == alert.summary
    assert small.entities.zones == ("storage",)
    assert small.entities.epcs == alert.entities.epcs[: len(small.entities.epcs)]
    assert small.attrs == {"truncated": {"entities.epcs": 5000}}
