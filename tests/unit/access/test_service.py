from __future__ import annotations

from collections.abc import Sequence

import pytest

from stockade.access.errors import UnknownTargetError
from stockade.access.pack import PolicyStore
from stockade.access.pdp import ERROR, UNKNOWN_SITE
from stockade.access.request import AccessRequest
from stockade.access.service import AccessService
from stockade.events.model import Access, Envelope
from stockade.site import SiteConfig

from .conftest import MONDAY_9, ask


def test_decisions_and_threat_changes_are_logged(site: SiteConfig) -> None:
    logged: list[Envelope] = []
    service = AccessService({"dc-demo": site}, PolicyStore(), log=lambda s, evs: logged.extend(evs))
    answer, event = service.decide(ask("D-FLOOR", "badge:1001"))
    change = service.set_threat("dc-demo", "elevated", actor="an-1", at=MONDAY_9)
    assert event is not None
    assert logged == [event, change]
    assert event.id == answer.decision_id


def test_unknown_site_is_denied_and_not_logged(site: SiteConfig) -> None:
    logged: list[Envelope] = []
    service = AccessService({"dc-demo": site}, PolicyStore(), log=lambda s, evs: logged.extend(evs))
    answer, event = service.decide(AccessRequest(site="x", door="D-FLOOR", credential="badge:1001",
                                                 time=MONDAY_9))
    assert (answer.result, answer.policies, event, logged) == ("deny", (UNKNOWN_SITE,), None, [])
    with pytest.raises(UnknownTargetError, match="site"):
        service.set_threat("x", "lockdown", actor="a", at=MONDAY_9)
    with pytest.raises(UnknownTargetError, match="zone 'moon'"):
        service.clear_threat("dc-demo", actor="a", at=MONDAY_9, zone="moon")


def test_a_decision_that_cannot_be_logged_is_a_deny(site: SiteConfig) -> None:
    def broken(site_id: str, events: Sequence[Envelope]) -> None:
        raise OSError("disk full")

    service = AccessService({"dc-demo": site}, PolicyStore(), log=broken)
    answer, event = service.decide(ask("D-FLOOR", "badge:1001"))
    assert answer.result == "deny"
    assert answer.policies == (ERROR,)
    assert "could not be logged: OSError: disk full" in answer.reasons[0]
    assert event is not None
    assert event.result == "deny"


def test_a_threat_change_that_cannot_be_logged_is_undone(site: SiteConfig) -> None:
    """The log is the truth: a level its event never reached would hold only in this process (and in
    its next access snapshot), and a restart from the log would drop it."""
    refuse = False

    def log(site_id: str, events: Sequence[Envelope]) -> None:
        if refuse:
            raise OSError("disk full")

    service = AccessService({"dc-demo": site}, PolicyStore(), log=log)
    service.set_threat("dc-demo", "elevated", actor="an-1", at=MONDAY_9, zone="storage")
    refuse = True
    with pytest.raises(OSError, match="disk full"):
        service.set_threat("dc-demo", "lockdown", actor="an-1", at=MONDAY_9)
    with pytest.raises(OSError, match="disk full"):
        service.clear_threat("dc-demo", actor="an-1", at=MONDAY_9, zone="storage")
    levels = service.threat_levels("dc-demo")
    assert (levels.site, levels.zones) == ("normal", {"storage": "elevated"})


def test_replay_rebuilds_facts_from_the_log(site: SiteConfig) -> None:
    service = AccessService({"dc-demo": site}, PolicyStore())
    entered = Access(id="a1", ts=MONDAY_9, site="dc-demo", source="ctl", door="D-FLOOR", result="granted",
                     factors=["badge"], credential="badge:1001", direction="in")
    threat = service.set_threat("dc-demo", "elevated", actor="an-1", at=MONDAY_9)
    fresh = AccessService({"dc-demo": site}, PolicyStore())
    assert fresh.replay("dc-demo", [entered, threat]) == 2
    assert fresh.threat_levels("dc-demo").site == "elevated"
    answer, _ = fresh.decide(ask("D-FLOOR", "badge:1001"))
    assert "anti-passback" in answer.policies
