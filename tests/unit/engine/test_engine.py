"""The engine skips admin events the site's rules do not admit (issue 18.1): the detectors never see
them and the state never folds them, so a forged grant cannot hide a role violation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from stockade.events import Access, Admin, Envelope
from stockade.pipeline.analyze import analyze
from stockade.site import SiteConfig, load_site
from tests.conftest import DEMO_SITE

MONDAY_10 = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(DEMO_SITE)


def grant_then_enter(source: str) -> list[Envelope]:
    grant = Admin(id="g1", ts=MONDAY_10, site="dc-demo", source=source, actor="emp-1001",
                  action="grant_access", target="emp-1001", zone="hv-cage")
    enter = Access(id="a1", ts=MONDAY_10 + timedelta(minutes=5), site="dc-demo", source="D-HV", door="D-HV",
                   subject="emp-1001", credential="badge:1001", result="granted", factors=["badge"],
                   direction="in")
    return [grant, enter]


def detectors(site: SiteConfig, events: list[Envelope]) -> set[str]:
    return {a.detector for a in analyze(site, events).alerts}


def test_a_forged_grant_from_a_device_hides_nothing(site: SiteConfig) -> None:
    found = detectors(site, grant_then_enter("ctl-1"))
    assert "STK-ACC-005" in found  # a picker in the cage: the forged grant did not count
    assert "STK-ADM-001" not in found  # nor did the detectors read it as a (self-)grant


def test_the_same_grant_from_the_declared_identity_system_counts(site: SiteConfig) -> None:
    found = detectors(site, grant_then_enter("iam"))
    assert "STK-ACC-005" not in found
    assert "STK-ADM-001" in found  # a self-grant, seen by the detector that watches grants
