from __future__ import annotations

from stockade.site import SiteConfig
from stockade.site.live.rights import MAX_WINDOWS, Rights

from .conftest import MONDAY_9, H, admin


def test_a_grant_covers_its_zone_from_its_start_or_the_event(site: SiteConfig) -> None:
    r = Rights(site)
    r.apply_admin(admin("grant_access", "badge:1001", zone="hv-cage", end=MONDAY_9 + H))
    assert r.grant("emp-1001", "hv-cage", MONDAY_9)
    assert not r.grant("emp-1001", "hv-cage", MONDAY_9 - H)  # before the grant was made
    assert not r.grant("emp-1001", "hv-cage", MONDAY_9 + H)
    assert not r.grant("emp-1001", "server-room", MONDAY_9)


def test_a_grant_with_no_zone_grants_nothing(site: SiteConfig) -> None:
    r = Rights(site)
    p = site.people_by_id["emp-1001"]
    r.apply_admin(admin("grant_access", "emp-1001"))
    assert not r.may_be_in(p, "hv-cage", MONDAY_9)
    assert r.grants == {}


def test_may_be_in_public_role_or_grant_and_never_an_unknown_zone(site: SiteConfig) -> None:
    r = Rights(site)
    p = site.people_by_id["emp-1001"]  # a picker
    assert r.may_be_in(p, "lobby", MONDAY_9)
    assert r.may_be_in(p, "storage", MONDAY_9)
    assert not r.may_be_in(p, "hv-cage", MONDAY_9)
    assert not r.may_be_in(p, "no-such-zone", MONDAY_9)


def test_a_revocation_takes_the_role_zone_and_stands(site: SiteConfig) -> None:
    r = Rights(site)
    p = site.people_by_id["emp-1001"]
    r.apply_admin(admin("revoke_access", "emp-1001", zone="storage"))
    assert not r.may_be_in(p, "storage", MONDAY_9)
    assert r.withheld(p, "storage", MONDAY_9)
    r.apply_admin(admin("grant_access", "emp-1001", zone="storage", end=MONDAY_9 + H))
    assert r.may_be_in(p, "storage", MONDAY_9)
    assert not r.withheld(p, "storage", MONDAY_9)
    assert not r.may_be_in(p, "storage", MONDAY_9 + 2 * H)  # the grant ended; the revocation did not


def test_revoking_everything_ends_every_grant(site: SiteConfig) -> None:
    r = Rights(site)
    p = site.people_by_id["emp-1001"]
    r.apply_admin(admin("grant_access", "emp-1001", zone="hv-cage"))
    r.apply_admin(admin("revoke_access", "emp-1001"))
    assert not r.may_be_in(p, "hv-cage", MONDAY_9)
    assert not r.may_be_in(p, "storage", MONDAY_9)
    assert r.may_be_in(p, "yard", MONDAY_9)


def test_revoking_a_credential_flags_it_and_revokes_its_holder(site: SiteConfig) -> None:
    r = Rights(site)
    r.apply_admin(admin("revoke_access", "badge:1002"))
    assert "badge:1002" in r.flagged
    assert not r.may_be_in(site.people_by_id["emp-1002"], "storage", MONDAY_9)
    r.apply_admin(admin("unflag_credential", "badge:1002"))
    assert "badge:1002" not in r.flagged


def test_an_override_covers_the_person_in_its_window_whatever_zone_it_names(site: SiteConfig) -> None:
    r = Rights(site)
    r.apply_admin(admin("schedule_override", "emp-1001", zone="storage", start=MONDAY_9, end=MONDAY_9 + H))
    r.apply_admin(admin("schedule_override", "emp-1002", start=MONDAY_9))
    assert r.schedule_override("emp-1001", MONDAY_9)
    assert not r.schedule_override("emp-1001", MONDAY_9 + H)
    assert r.schedule_override("emp-1002", MONDAY_9 + 11 * H)
    assert not r.schedule_override("emp-1002", MONDAY_9 + 12 * H)


def test_windows_are_bounded_by_what_is_open(site: SiteConfig) -> None:
    r = Rights(site)
    for i in range(3 * MAX_WINDOWS):
        t = MONDAY_9 + i * H
        r.apply_admin(admin("schedule_override", "emp-1001", ts=t, start=t, end=t + H / 2))
    assert len(r.overrides["emp-1001"]) == 1  # the ended ones went when the next came
    for i in range(3 * MAX_WINDOWS):
        r.apply_admin(admin("grant_access", "emp-1001", zone="hv-cage", ts=MONDAY_9 + i * H))
    assert len(r.grants["emp-1001"]) == MAX_WINDOWS


def test_targets_no_one_knows_change_nothing(site: SiteConfig) -> None:
    r = Rights(site)
    r.apply_admin(admin("grant_access", "emp-9999", zone="hv-cage"))
    r.apply_admin(admin("revoke_access", None))
    assert r.save().grants == {}
    assert r.save().revoked == {}


def test_save_and_load_round_trip(site: SiteConfig) -> None:
    r = Rights(site)
    r.apply_admin(admin("grant_access", "emp-1001", zone="hv-cage"))
    r.apply_admin(admin("revoke_access", "emp-1002", zone="storage"))
    r.apply_admin(admin("schedule_override", "emp-1003"))
    again = Rights(site)
    again.load(r.save())
    assert again.save() == r.save()
