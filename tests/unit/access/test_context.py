from __future__ import annotations

import math

import pytest

from stockade.access.context import (
    NoRisk,
    SiteModel,
    as_risk_source,
    build_context,
    entities_json,
    factor_outcomes,
    risk_of,
)
from stockade.access.facts import Facts
from stockade.access.pack import PolicyPack
from stockade.access.request import Presented
from stockade.access.threat import ThreatLevels
from stockade.site import SiteConfig

from .conftest import ask


def test_entities_carry_roles_people_and_zones(site: SiteConfig) -> None:
    by_uid = {(e["uid"]["type"], e["uid"]["id"]): e for e in entities_json(site)}
    guard = by_uid[("Role", "guard")]["attrs"]
    assert guard["all_zones"]
    assert guard["responder"]
    assert guard["zones"] == []
    vendor = by_uid[("Person", "ven-77")]
    assert vendor["attrs"]["vendor"] == "acme-hvac"
    assert "shift" not in vendor["attrs"]
    driver = by_uid[("Person", "drv-81")]
    assert "role" not in driver["attrs"]
    assert driver["parents"] == []
    assert by_uid[("Zone", "hv-cage")]["attrs"]["kind"] == "high_value"


@pytest.mark.parametrize(
    ("factors", "expected"),
    [
        ((Presented("badge"),), ("none", "none")),
        ((Presented("pin", verified=True), Presented("face", score=0.9)), ("pass", "pass")),
        ((Presented("pin", verified=False), Presented("fingerprint", score=0.89)), ("fail", "fail")),
        ((Presented("pin"),), ("fail", "none")),  # a PIN nobody checked does not count
        ((Presented("face"),), ("none", "fail")),
        ((Presented("face", score=0.99), Presented("fingerprint", score=0.2)), ("none", "fail")),
    ],
)
def test_factor_outcomes(factors: tuple[Presented, ...], expected: tuple[str, str]) -> None:
    assert factor_outcomes(ask("D-HV", "badge:1020", *factors), 0.9) == expected


def test_risk_is_the_higher_of_person_and_credential_clamped(site: SiteConfig) -> None:
    person = site.people_by_id["emp-1001"]
    scores = {("person", "emp-1001"): 49.9, ("credential", "badge:1001"): 12.0}
    assert risk_of(as_risk_source(lambda t, i: scores.get((t, i), 0.0)), person, "badge:1001") == 49
    assert risk_of(as_risk_source(lambda t, i: 250.0), person, "badge:1001") == 100
    assert risk_of(NoRisk(), person, "badge:1001") == 0
    with pytest.raises(ValueError, match="not a number"):
        risk_of(as_risk_source(lambda t, i: math.nan), person, "badge:1001")


@pytest.mark.parametrize(
    ("door", "direction", "egress"),
    [("D-FLOOR", "out", True), ("D-FLOOR", "in", False), ("D-TURNSTILE", "out", True),
     ("D-PACK", "in", False), ("D-FIRE-N", "out", False)],
)
def test_egress_means_closer_to_the_yard_or_lobby(
    site: SiteConfig, pack: PolicyPack, door: str, direction: str, egress: bool
) -> None:
    model = SiteModel.of(site, pack.schema)
    person = site.people_by_id["emp-1001"]
    door_cfg = site.doors_by_id[door]
    zone = door_cfg.zones[0] if direction == "out" else door_cfg.zones[1]
    ctx = build_context(model, Facts(site), ThreatLevels("dc-demo"), NoRisk(),
                        ask(door, "badge:1001", direction=direction), person, door_cfg, zone,
                        biometric_threshold=0.9)
    assert ctx["egress"] is egress


def test_context_for_a_vendor_outside_contract_hours(site: SiteConfig, pack: PolicyPack) -> None:
    from datetime import datetime, timedelta, timezone

    model = SiteModel.of(site, pack.schema)
    door = site.doors_by_id["D-SERVER"]
    evening = datetime(2026, 11, 24, 19, 0, tzinfo=timezone(timedelta(hours=1)))
    ctx = build_context(model, Facts(site), ThreatLevels("dc-demo"), NoRisk(),
                        ask("D-SERVER", "badge:9081", time=evening), site.people_by_id["ven-81"], door,
                        "server-room", biometric_threshold=0.9)
    assert (ctx["vendor_zone"], ctx["vendor_hours"], ctx["vendor_assessment"]) == (True, False, True)
    assert ctx["door"] == {"__entity": {"type": "Door", "id": "D-SERVER"}}
