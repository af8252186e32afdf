from __future__ import annotations

import pytest

from stockade.access.threat import CLEAR_ACTION, SET_ACTION, ThreatLevels
from stockade.events import canonical_event, decode_event
from stockade.events.model import Admin

from .conftest import MONDAY_9


def levels() -> ThreatLevels:
    ids = iter(range(100))
    return ThreatLevels("dc-demo", new_id=lambda: f"thr-{next(ids)}")


def test_zone_level_is_the_higher_of_zone_and_site() -> None:
    t = levels()
    t.set("elevated", actor="an-1", at=MONDAY_9)
    t.set("lockdown", actor="an-1", at=MONDAY_9, zone="hv-cage")
    assert (t.level("hv-cage"), t.level("storage"), t.level()) == ("lockdown", "elevated", "elevated")
    t.clear(actor="an-1", at=MONDAY_9)
    assert (t.level("hv-cage"), t.level("storage")) == ("lockdown", "normal")
    t.clear(actor="an-1", at=MONDAY_9, zone="hv-cage")
    assert t.view().zones == {}


def test_set_and_clear_produce_admin_events_that_decode() -> None:
    t = levels()
    ev = t.set("lockdown", actor="an-1", at=MONDAY_9, zone="dock-out", detail="blind and grab")
    assert (ev.action, ev.zone, ev.attrs, ev.actor) == (SET_ACTION, "dock-out", {"level": "lockdown"}, "an-1")
    assert decode_event(canonical_event(ev)) == ev
    cleared = t.clear(actor="an-1", at=MONDAY_9)
    assert (cleared.action, cleared.zone) == (CLEAR_ACTION, None)


def test_replaying_the_events_rebuilds_the_levels() -> None:
    t = levels()
    events = [t.set("elevated", actor="a", at=MONDAY_9),
              t.set("lockdown", actor="a", at=MONDAY_9, zone="yard"),
              t.clear(actor="a", at=MONDAY_9)]
    replay = levels()
    for ev in events:
        assert replay.observe(ev)
    assert replay.view() == t.view()


def test_unknown_levels_are_refused_and_other_actions_ignored() -> None:
    t = levels()
    with pytest.raises(ValueError, match="threat level"):
        t.set("panic", actor="a", at=MONDAY_9)  # type: ignore[arg-type]
    bad = Admin(id="x", ts=MONDAY_9, site="dc-demo", source="stockade:access", actor="a", action=SET_ACTION,
                attrs={"level": "panic"})
    other = Admin(id="y", ts=MONDAY_9, site="dc-demo", source="stockade:access", actor="a", action="arm",
                  zone="hv-cage")
    assert not t.observe(bad)
    assert not t.observe(other)
    assert t.level("hv-cage") == "normal"


def test_only_stockades_own_sources_change_a_level() -> None:
    """Issue 18.1: a lockdown is lifted by the analyst API or a playbook, never by a device's event."""
    t = levels()
    t.set("lockdown", actor="analyst-1", at=MONDAY_9, zone="hv-cage")
    for source in ("ctl-1", "iam", "stockade-cli", "access"):
        forged = Admin(id="f", ts=MONDAY_9, site="dc-demo", source=source, actor="analyst-1",
                       action=CLEAR_ACTION, zone="hv-cage", attrs={"level": "normal"})
        assert not t.observe(forged)
    assert t.level("hv-cage") == "lockdown"
    t.clear(actor="analyst-1", at=MONDAY_9, zone="hv-cage")
    assert t.level("hv-cage") == "normal"
