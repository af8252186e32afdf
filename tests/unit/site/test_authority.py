"""Who may write what (site/authority.py): the one rule ingest, the engine and the decision point share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from stockade.events import Admin, Door, Stock, Tick
from stockade.events.model import Envelope
from stockade.site import load_site
from stockade.site.authority import admitted, kind_refusal, refusal
from stockade.site.config import SiteConfig
from tests.conftest import DEMO_SITE

T = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(DEMO_SITE)  # declares iam (admin: grant_access, …), wfm, tms and wms (stock)


def admin(source: str, action: str = "grant_access", **kw: Any) -> Admin:
    return Admin(id="a1", ts=T, site="dc-demo", source=source, actor="it-01", action=action,
                 target="emp-1001", zone="hv-cage", **kw)


def door(source: str) -> Door:
    return Door(id="d1", ts=T, site="dc-demo", source=source, door="D-HV", state="open")


def stock(source: str) -> Stock:
    return Stock(id="s1", ts=T, site="dc-demo", source=source, op="count", to="storage", epcs=[])


@pytest.mark.parametrize(("event", "field", "needle"), [
    (admin("ctl-1"), "kind", "source 'ctl-1' is a device"),
    (admin("ctl-1", "clear_threat_level"), "action", "threat levels change only through the analyst API"),
    (admin("iam", "set_threat_level"), "action", "or a playbook"),
    (admin("iam", "disarm"), "action", "declares source 'iam' for the admin actions"),
    (admin("wms"), "kind", "declares source 'wms' for stock events, not admin"),
    (admin("stockade:access", "clear_threat_level"), "source", "are Stockade's own"),
    (door("stockade:pdp"), "source", "are Stockade's own"),
    (stock("ctl-1"), "kind", "{id: ctl-1, kinds: [stock]}"),
    (door("wms"), "kind", "not door"),
])
def test_outside_writers_are_refused_with_the_rule(site: SiteConfig, event: Envelope, field: str,
                                                   needle: str) -> None:
    found = refusal(site, event)
    assert found is not None
    assert (found.code, found.field) == ("forbidden", field)
    assert found.reason.startswith("forbidden: ")
    assert needle in found.reason


@pytest.mark.parametrize("event", [
    door("ctl-1"), door("D-HV"), stock("wms"), admin("iam"), admin("wfm", "schedule_override"),
    Tick(id="t", ts=T, site="dc-demo", source="bus"),
])
def test_devices_and_declared_systems_pass(site: SiteConfig, event: Envelope) -> None:
    assert refusal(site, event) is None


def test_the_engine_and_decision_point_admit_stockade_and_declared_sources_only(site: SiteConfig) -> None:
    assert admitted(site, admin("stockade:api"))
    assert admitted(site, admin("stockade:access", "set_threat_level", attrs={"level": "lockdown"}))
    assert admitted(site, admin("iam"))
    assert not admitted(site, admin("ctl-1"))
    assert not admitted(site, admin("iam", "clear_threat_level"))
    assert not admitted(site, admin("iam", "disarm"))


def test_kind_refusal_answers_for_a_source_and_kind(site: SiteConfig) -> None:
    assert kind_refusal(site, "ctl-1", "door") is None
    assert kind_refusal(site, "wms", "stock") is None
    assert kind_refusal(site, "iam", "admin") is None
    assert "devices send" in str(kind_refusal(site, "ctl-1", "admin"))
