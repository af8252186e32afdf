from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from stockade.access.facts import Facts
from stockade.events.model import Access, Admin, Decision, Device
from stockade.site import SiteConfig

from .conftest import MONDAY_9

H = timedelta(hours=1)


def admin(action: str, target: str, **kw: Any) -> Admin:
    return Admin(id="a", ts=kw.pop("ts", MONDAY_9), site="dc-demo", source="stockade:api", actor="it-01",
                 action=action, target=target, **kw)


def access(door: str, direction: str | None, result: str = "granted", **kw: Any) -> Access:
    return Access(id="x", ts=MONDAY_9, site="dc-demo", source="ctl", door=door, result=result,  # type: ignore[arg-type]
                  factors=["badge"], direction=direction, **kw)  # type: ignore[arg-type]


def test_grant_covers_its_window_and_zone(site: SiteConfig) -> None:
    f = Facts(site)
    f.observe(admin("grant_access", "emp-1001", zone="hv-cage", start=MONDAY_9, end=MONDAY_9 + H))
    assert f.grant("emp-1001", "hv-cage", MONDAY_9)
    assert not f.grant("emp-1001", "hv-cage", MONDAY_9 + H)
    assert not f.grant("emp-1001", "server-room", MONDAY_9)
    assert not f.grant("emp-1002", "hv-cage", MONDAY_9)


def test_grant_by_credential_open_ended_and_revoked(site: SiteConfig) -> None:
    f = Facts(site)
    f.observe(admin("grant_access", "badge:1001", zone="hv-cage"))
    f.observe(admin("grant_access", "emp-1001", zone="returns"))
    assert f.grant("emp-1001", "hv-cage", MONDAY_9 + 100 * H)
    assert not f.grant("emp-1001", "hv-cage", MONDAY_9 - H)  # starts at the event's time
    f.observe(admin("revoke_access", "emp-1001", zone="hv-cage"))
    assert not f.grant("emp-1001", "hv-cage", MONDAY_9)
    assert f.grant("emp-1001", "returns", MONDAY_9)
    f.observe(admin("revoke_access", "emp-1001"))
    assert not f.grant("emp-1001", "returns", MONDAY_9)


def test_grant_without_a_zone_grants_nothing(site: SiteConfig) -> None:
    f = Facts(site)
    f.observe(admin("grant_access", "emp-1001"))
    assert not f.grant("emp-1001", "hv-cage", MONDAY_9)


def test_override_lasts_twelve_hours_without_an_end(site: SiteConfig) -> None:
    f = Facts(site)
    f.observe(admin("schedule_override", "emp-1023", start=MONDAY_9))
    assert f.schedule_override("emp-1023", MONDAY_9 + 11 * H)
    assert not f.schedule_override("emp-1023", MONDAY_9 + 12 * H)


def test_an_override_naming_a_zone_covers_the_person_everywhere(site: SiteConfig) -> None:
    """site/live's rule: an override lifts the shift limit only (DESIGN's "after hours" is per person)."""
    f = Facts(site)
    f.observe(admin("schedule_override", "emp-1024", zone="pack", start=MONDAY_9, end=MONDAY_9 + H))
    assert f.schedule_override("emp-1024", MONDAY_9)
    assert not f.schedule_override("emp-1024", MONDAY_9 + H)


def test_a_revocation_takes_the_role_zone_until_a_grant(site: SiteConfig) -> None:
    f = Facts(site)
    p = site.people_by_id["emp-1001"]
    assert f.may_be_in(p, "storage", MONDAY_9)
    assert not f.revoked(p, "storage", MONDAY_9)
    f.observe(admin("revoke_access", "emp-1001", zone="storage"))
    assert not f.may_be_in(p, "storage", MONDAY_9)
    assert f.revoked(p, "storage", MONDAY_9)
    assert f.may_be_in(p, "lobby", MONDAY_9)  # public zones need no right
    f.observe(admin("grant_access", "emp-1001", zone="storage", end=MONDAY_9 + H))
    assert f.may_be_in(p, "storage", MONDAY_9)
    assert not f.revoked(p, "storage", MONDAY_9)
    assert not f.may_be_in(p, "storage", MONDAY_9 + H)  # the grant ended; the revocation stands


def test_flagging_credentials(site: SiteConfig) -> None:
    f = Facts(site)
    f.observe(admin("flag_credential", "badge:1001"))
    f.observe(admin("revoke_access", "badge:1002"))
    assert f.flagged("badge:1001")
    assert f.flagged("badge:1002")
    assert not f.may_be_in(site.people_by_id["emp-1002"], "storage", MONDAY_9)  # and its holder's rights
    f.observe(admin("unflag_credential", "badge:1001"))
    assert not f.flagged("badge:1001")


def test_location_follows_granted_entries_and_exits(site: SiteConfig) -> None:
    f = Facts(site)
    f.observe(access("D-FLOOR", "in", credential="badge:1001"))
    assert f.location("emp-1001") == "storage"
    f.observe(access("D-PACK", "in", result="denied", subject="emp-1001"))
    assert f.location("emp-1001") == "storage"
    f.observe(access("D-FLOOR", "out", subject="emp-1001"))
    assert f.location("emp-1001") == "lockers"
    f.observe(admin("reset_passback", "emp-1001"))
    assert f.location("emp-1001") is None
    f.observe(access("D-FLOOR", None, subject="emp-1001"))  # no direction, not seen: the far side
    assert f.location("emp-1001") == "storage"
    f.observe(access("D-FLOOR", None, subject="emp-1001"))  # and back: the side they are not on
    assert f.location("emp-1001") == "lockers"


def test_tamper_holds_until_online_and_other_sites_are_ignored(site: SiteConfig) -> None:
    f = Facts(site)
    f.observe(Device(id="d", ts=MONDAY_9, site="dc-demo", source="ctl", device="D-HV", status="tamper"))
    f.observe(Device(id="d", ts=MONDAY_9, site="other", source="ctl", device="D-HV", status="online"))
    f.observe(Decision(id="d", ts=MONDAY_9, site="dc-demo", source="pdp", door="D-HV", result="allow",
                       reasons=(), policies=(), policy_hash="h"))
    assert f.tampered("D-HV")
    f.observe(Device(id="d", ts=MONDAY_9, site="dc-demo", source="ctl", device="D-HV", status="online"))
    assert not f.tampered("D-HV")


@pytest.mark.parametrize("source", ["ctl-1", "wms", "stockade-cli", "policy-test"])
def test_admin_events_no_one_may_write_change_no_fact(site: SiteConfig, source: str) -> None:
    """Issue 18.1: a grant from a door controller's key (or any undeclared source) grants nothing."""
    f = Facts(site)
    f.observe(replace(admin("grant_access", "emp-1001", zone="hv-cage"), source=source))
    f.observe(replace(admin("flag_credential", "badge:1001"), source=source))
    assert not f.grant("emp-1001", "hv-cage", MONDAY_9 + H)
    assert not f.flagged("badge:1001")
    f.observe(replace(admin("grant_access", "emp-1001", zone="hv-cage"), source="iam"))  # declared for it
    assert f.grant("emp-1001", "hv-cage", MONDAY_9 + H)


def test_facts_save_and_load_as_typed_data(site: SiteConfig) -> None:
    """The facts are the live site's parts: they save as msgspec data and load back the same."""
    import msgspec

    from stockade.access.facts import FactsSnapshot

    f = Facts(site)
    f.observe(admin("grant_access", "emp-1001", zone="hv-cage"))
    f.observe(admin("revoke_access", "badge:1002"))
    f.observe(access("D-FLOOR", "in", credential="badge:1001"))
    f.observe(Device(id="d", ts=MONDAY_9, site="dc-demo", source="ctl", device="D-HV", status="tamper"))
    data = msgspec.json.encode(f.save())
    again = Facts(site)
    again.load(msgspec.json.decode(data, type=FactsSnapshot))
    assert again.grant("emp-1001", "hv-cage", MONDAY_9)
    assert again.flagged("badge:1002")
    assert again.location("emp-1001") == "storage"
    assert again.tampered("D-HV")
