"""An API node's access facts: the owner's snapshot adopted whole, trusted only while the owner's word on
it is recent (its beats), never from a word written before the node watched; anything else is a deny."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stockade.access.pack import PolicyStore
from stockade.access.pdp import STALE_FACTS
from stockade.access.request import AccessRequest, Presented
from stockade.access.service import AccessService
from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.mapping import beat_key, facts_key
from stockade.engine.risk import RiskModel
from stockade.events.model import Access
from stockade.node.roles.facts import FactsBeat, SiteFacts, encode
from stockade.node.roles.facts_follow import FactsFollower
from stockade.site import SiteConfig, load_site

T = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1)))  # a Monday, the day shift


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def site(demo_site_path: Path) -> SiteConfig:
    return load_site(demo_site_path)


def owner_facts(site: SiteConfig, *, inside: bool, risk: float = 0.0) -> SiteFacts:
    """What a worker's decision point holds after emp-1001 walked into storage (or not)."""
    owner = AccessService({site.site: site}, PolicyStore())
    if inside:
        owner.observe_committed(site.site, [(1, Access(
            id="a1", ts=T, site=site.site, source="ctl-1", door="D-FLOOR", result="granted", factors=["badge"],
            credential="badge:1001", subject="emp-1001", direction="in"))])
    model = RiskModel(site)
    if risk:
        model.add("person", "emp-1001", risk, T)
    pdp = owner.point(site.site)
    return SiteFacts(site.site, "w1", 1, 1, pdp.facts.save(), pdp.threats.save(), model.save(), T)


def ask(access: AccessService) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    answer, _ = access.decide(AccessRequest(site="dc-demo", door="D-FLOOR", credential="badge:1001", time=T,
                                            factors=(Presented("badge"),)))
    return answer.result, answer.policies, answer.reasons


def follower(site: SiteConfig) -> tuple[AccessService, FactsFollower, Clock]:
    access = AccessService({site.site: site}, PolicyStore())
    clock = Clock()
    follow = FactsFollower(access, ClusterSettings(facts_max_age_s=2.0), clock=clock)
    access.untrusted = follow.untrusted
    return access, follow, clock


def give(follow: FactsFollower, key: str, message: SiteFacts | FactsBeat, revision: int, live: bool = True) -> None:
    asyncio.run(follow.on_entry(key, encode(message), revision, live))


def test_no_facts_is_a_deny_naming_why(site: SiteConfig) -> None:
    access, _, _ = follower(site)
    result, policies, reasons = ask(access)
    assert (result, policies) == ("deny", (STALE_FACTS,))
    assert "no facts of site 'dc-demo'" in reasons[0]


def test_the_owners_facts_decide_until_the_bound_and_beats_keep_them_fresh(site: SiteConfig) -> None:
    access, follow, clock = follower(site)
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=True), 5)
    assert "anti-passback" in ask(access)[1], "the owner's passback state, adopted"
    clock.now += 1.9
    give(follow, beat_key("dc-demo"), FactsBeat("dc-demo", "w1", 5, 9, 9, T), 6)
    clock.now += 1.9
    assert STALE_FACTS not in ask(access)[1], "the beat vouched for the facts held: a quiet site is fresh"
    give(follow, beat_key("dc-demo"), FactsBeat("dc-demo", "w1", 4, 9, 9, T), 7)  # names other facts
    clock.now += 0.2
    result, policies, reasons = ask(access)
    assert (result, policies) == ("deny", (STALE_FACTS,))
    assert "from worker 'w1' on site 'dc-demo' (log position 9) came 2.1 s ago" in reasons[0]
    assert "facts_max_age_s = 2 s" in reasons[0]


def test_facts_found_at_start_wait_for_a_new_beat_and_replays_change_nothing(site: SiteConfig) -> None:
    access, follow, clock = follower(site)
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=True), 5, live=False)
    give(follow, beat_key("dc-demo"), FactsBeat("dc-demo", "w1", 5, 1, 1, T), 6, live=False)
    result, policies, reasons = ask(access)
    assert (result, policies) == ("deny", (STALE_FACTS,))
    assert "written before this node started" in reasons[0]
    give(follow, beat_key("dc-demo"), FactsBeat("dc-demo", "w1", 5, 1, 1, T), 8)
    assert STALE_FACTS not in ask(access)[1]
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=False), 5)  # the same revision again
    assert "anti-passback" in ask(access)[1], "a revision already held is not adopted twice"
    clock.now += 1.0
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=False, risk=500.0), 9)
    result, policies, _ = ask(access)
    assert "anti-passback" not in policies
    assert follow.held["dc-demo"].risk.score("person", "emp-1001") > 99, "the owner's risk, at its engine time"


def test_a_value_under_another_sites_key_or_malformed_is_refused(site: SiteConfig) -> None:
    access, follow, _ = follower(site)
    give(follow, facts_key("dc-other"), owner_facts(site, inside=True), 5)
    give(follow, beat_key("dc-demo"), owner_facts(site, inside=True), 6)  # facts under a beat's key
    asyncio.run(follow.on_entry(facts_key("dc-demo"), b'{"type": "facts", "site": 1}', 7, True))
    asyncio.run(follow.on_entry("facts.zz", b"{}", 8, True))
    assert follow.held == {}
    assert ask(access)[1] == (STALE_FACTS,)


def test_a_lockdown_set_here_is_not_lifted_by_older_facts_from_the_owner(site: SiteConfig) -> None:
    access, follow, clock = follower(site)
    access.on_threat_logged = follow.threat_logged
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=False), 5)
    change = access.set_threat("dc-demo", "lockdown", actor="analyst-1", at=T, zone="storage")
    assert "threat-lockdown" in ask(access)[1]
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=False), 6)  # the owner has not logged it yet
    assert "threat-lockdown" in ask(access)[1], "kept over the owner's older facts"
    follow.committed("dc-demo", 2, change.id)  # the owner logged it at position 2 ...
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=False), 7)  # ... but these are at 1
    assert "threat-lockdown" in ask(access)[1]
    later = owner_facts(site, inside=False)
    give(follow, facts_key("dc-demo"), SiteFacts(later.site, later.worker, 2, 2, later.facts, later.threats,
                                                  later.risk, later.now), 8)
    assert "threat-lockdown" not in ask(access)[1], "facts that include it are the owner's word (here: cleared)"
    clock.now += 1.0
    unseen = access.set_threat("dc-demo", "lockdown", actor="analyst-1", at=T, zone="storage")
    assert unseen.id != change.id
    clock.now += 4.1  # its position never came: after twice the bound the owner's facts rule
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=False), 9)
    assert "threat-lockdown" not in ask(access)[1]


def test_facts_that_decode_but_do_not_load_change_nothing_and_the_watch_goes_on(
        site: SiteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    access, follow, _ = follower(site)
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=True), 5)
    held = follow.held["dc-demo"]

    def broken(self: RiskModel, saved: object) -> None:
        raise ValueError("a weight for an entity type this site does not have")

    with monkeypatch.context() as m:
        m.setattr(RiskModel, "load", broken)
        give(follow, facts_key("dc-demo"), owner_facts(site, inside=False), 6)  # no exception reaches the watch
    assert follow.held["dc-demo"] is held, "the facts held stay (and go stale unless the owner vouches)"
    assert "anti-passback" in ask(access)[1]
    give(follow, facts_key("dc-demo"), owner_facts(site, inside=False), 7)
    assert "anti-passback" not in ask(access)[1], "the next good facts are adopted"
