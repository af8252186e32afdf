from __future__ import annotations

from typing import Any

from stockade.events.model import Access, Sensor
from stockade.site import SiteConfig
from stockade.site.live.armed import Armed
from stockade.site.live.people import People
from stockade.site.live.threat import Levels

from .conftest import MONDAY_9, admin


def access(door: str, direction: str | None, result: str = "granted", **kw: Any) -> Access:
    return Access(id="x", ts=MONDAY_9, site="dc-demo", source="ctl", door=door, result=result,  # type: ignore[arg-type]
                  factors=["badge"], direction=direction, **kw)  # type: ignore[arg-type]


def test_positions_follow_direction_or_the_side_they_are_not_on(site: SiteConfig) -> None:
    people = People(site)
    assert people.apply_access(access("D-FLOOR", "in", credential="badge:1001")).id == "emp-1001"  # type: ignore[union-attr]
    assert people.positions.zone("emp-1001") == "storage"
    assert people.positions.inside_since["emp-1001"] == MONDAY_9
    people.apply_access(access("D-FLOOR", None, subject="emp-1001"))
    assert people.positions.zone("emp-1001") == "lockers"
    people.apply_access(access("D-FLOOR", "in", result="denied", subject="emp-1001"))
    assert people.positions.zone("emp-1001") == "lockers"
    people.apply_access(access("D-TURNSTILE", "out", subject="emp-1001"))
    assert people.positions.zone("emp-1001") == "lobby"
    assert "emp-1001" not in people.positions.inside_since
    people.apply_admin(admin("reset_passback", "badge:1001"))
    assert people.positions.zone("emp-1001") is None
    assert people.apply_access(access("NO-DOOR", "in", subject="emp-1001")) is not None
    assert people.positions.zone("emp-1001") is None


def test_threat_levels_only_from_stockade_and_a_clear_lifts_them() -> None:
    levels = Levels()
    assert not levels.observe(admin("set_threat_level", None, zone="dock-out", source="iam",
                                    attrs={"level": "lockdown"}))
    assert levels.observe(admin("set_threat_level", None, zone="dock-out", source="stockade:access",
                                attrs={"level": "lockdown"}))
    assert not levels.observe(admin("set_threat_level", None, source="stockade:access", detail="lockdown"))
    assert levels.level("dock-out") == "lockdown"
    assert levels.level("storage") == "normal"
    assert levels.observe(admin("set_threat_level", None, source="stockade:access", attrs={"level": "elevated"}))
    assert levels.level("storage") == "elevated"
    assert levels.observe(admin("clear_threat_level", None, zone="dock-out", source="stockade:playbook"))
    assert levels.level("dock-out") == "elevated"
    again = Levels()
    again.load(levels.save())
    assert again.view() == levels.view()


def test_armed_state_from_panels_and_operators() -> None:
    armed = Armed()
    assert armed.is_armed("hv-cage") is None
    armed.apply_sensor(Sensor(id="s", ts=MONDAY_9, site="dc-demo", source="P-HV", sensor="P-HV", zone="hv-cage",
                              type="arm", user="emp-1042"))
    assert armed.is_armed("hv-cage") is True
    armed.apply_admin(admin("disarm", "hv-cage"))
    assert armed.is_armed("hv-cage") is False
    assert armed.armed["hv-cage"].user == "it-01"
    armed.apply_admin(admin("arm", None, zone="server-room"))
    assert armed.is_armed("server-room") is True
