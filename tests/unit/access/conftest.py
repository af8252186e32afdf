"""Fixtures for the access tests: the demo site, the default pack, a fresh decision point."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stockade.access.pack import DEFAULT_POLICY_DIR, PolicyPack, load_pack
from stockade.access.pdp import DecisionPoint
from stockade.access.request import AccessRequest, Presented
from stockade.site import SiteConfig, load_site

PARIS = timezone(timedelta(hours=1))
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)


@pytest.fixture(scope="session")
def site(demo_site_path: Path) -> SiteConfig:
    return load_site(demo_site_path)


@pytest.fixture(scope="session")
def pack() -> PolicyPack:
    return load_pack(DEFAULT_POLICY_DIR)


@pytest.fixture
def pdp(site: SiteConfig, pack: PolicyPack) -> DecisionPoint:
    ids = iter(range(1, 10_000))
    return DecisionPoint(site, pack, new_id=lambda: f"dec-{next(ids)}")


def ask(door: str, credential: str, *factors: Presented | str, **kw: object) -> AccessRequest:
    fs = tuple(Presented(f) if isinstance(f, str) else f for f in (factors or ("badge",)))
    fields: dict[str, object] = {"site": "dc-demo", "time": MONDAY_9, **kw}
    return AccessRequest(door=door, credential=credential, factors=fs, **fields)  # type: ignore[arg-type]
