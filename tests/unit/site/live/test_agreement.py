"""Detection and enforcement agree: random admin-event sequences, one answer to "may this person be here now".

The engine (its own ``step``, which admits admin events by the site's rules, and
its state) and the decision point (its ``Facts``) fold the same events; for
every person, zone and moment asked, the engine's ``allowed`` equals the
decision point's answer, and the answer the default pack's permits build from
the facts (public zone, ``temporary-grant``, ``role-zone`` unless ``revoked``).
Positions (passback at the door, "where were they" for the detectors) agree too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockade.access.facts import Facts
from stockade.engine.engine import SiteEngine
from stockade.events.model import Access, Admin, Envelope
from stockade.site import SiteConfig, load_site
from stockade.site.live.rights import Rights

from .conftest import MONDAY_9

SITE = load_site("examples/sites/dc-demo.yaml")
PEOPLE = ["emp-1001", "emp-1023", "grd-1", "emp-1060"]
TARGETS = [*PEOPLE, "badge:1001", "badge:1023", "nobody", None]
ZONES = ["storage", "hv-cage", "server-room", "office", "lobby", "dock-out", None]
ACTIONS = ["grant_access", "revoke_access", "schedule_override", "flag_credential", "unflag_credential",
           "reset_passback", "set_threat_level", "arm"]
SOURCES = ["stockade:api", "iam", "wfm", "ctl-1"]  # iam and wfm are declared in the demo site for some actions
DOORS = [d.id for d in SITE.doors]
minutes = st.integers(min_value=-120, max_value=24 * 60)


@st.composite
def admin_event(draw: st.DrawFn, n: int) -> Envelope:
    t = MONDAY_9 + timedelta(minutes=n * 7)
    start = draw(st.one_of(st.none(), minutes))
    end = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=12 * 60)))
    kw: dict[str, Any] = {}
    if start is not None:
        kw["start"] = t + timedelta(minutes=start)
        if end is not None:
            kw["end"] = kw["start"] + timedelta(minutes=end)
    elif end is not None:
        kw["end"] = t + timedelta(minutes=end)
    action = draw(st.sampled_from(ACTIONS))
    if action == "set_threat_level":
        kw["attrs"] = {"level": draw(st.sampled_from(["normal", "elevated", "lockdown"]))}
    return Admin(id=f"a{n}", ts=t, site="dc-demo", source=draw(st.sampled_from(SOURCES)), actor="it-01",
                 action=action, target=draw(st.sampled_from(TARGETS)), zone=draw(st.sampled_from(ZONES)), **kw)


@st.composite
def access_event(draw: st.DrawFn, n: int) -> Envelope:
    return Access(id=f"x{n}", ts=MONDAY_9 + timedelta(minutes=n * 7), site="dc-demo", source="ctl",
                  door=draw(st.sampled_from(DOORS)), result=draw(st.sampled_from(["granted", "denied"])),
                  factors=["badge"], subject=draw(st.sampled_from(PEOPLE)),
                  direction=draw(st.sampled_from(["in", "out", None])))


@st.composite
def histories(draw: st.DrawFn) -> list[Envelope]:
    size = draw(st.integers(min_value=0, max_value=25))
    return [draw(st.one_of(admin_event(n), access_event(n))) for n in range(size)]


def door_answer(site: SiteConfig, facts: Facts, person: str, zone: str, at: Any) -> bool:
    """What the default pack's permits make of the facts (00-permit.cedar)."""
    p = site.people_by_id[person]
    z = site.zones_by_id[zone]
    role = Rights(site).role_allows(p, zone)
    return z.public or facts.grant(person, zone, at) or (role and not facts.revoked(p, zone, at))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), asks=st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(ZONES[:-1]),
                                                   minutes), min_size=1, max_size=12))
def test_engine_and_decision_point_agree_on_who_may_be_where(events: list[Envelope],
                                                             asks: list[tuple[str, str, int]]) -> None:
    engine = SiteEngine(SITE, detectors=[])
    facts = Facts(SITE)
    for seq, event in enumerate(events, 1):
        engine.step(event, seq)
        facts.observe(event)
    now = MONDAY_9 + timedelta(minutes=len(events) * 7)
    for person, zone, offset in asks:
        at = now + timedelta(minutes=offset)
        p = SITE.people_by_id[person]
        engine_says = engine.state.people.allowed(p, zone, at)
        assert engine_says == facts.may_be_in(p, zone, at) == door_answer(SITE, facts, person, zone, at), (
            person, zone, at)
        assert engine.state.people.overridden(person, at) == facts.schedule_override(person, at)
    for person in PEOPLE:
        pos = engine.state.people.where.get(person)
        assert (pos.zone if pos else None) == facts.location(person)
