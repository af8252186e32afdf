"""Fixtures for the live site's fold parts: the demo site and a clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from stockade.events.model import Admin
from stockade.site import SiteConfig, load_site

PARIS = timezone(timedelta(hours=1))
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)
H = timedelta(hours=1)


@pytest.fixture(scope="session")
def site(demo_site_path: Path) -> SiteConfig:
    return load_site(demo_site_path)


def admin(action: str, target: str | None, **kw: Any) -> Admin:
    return Admin(id=kw.pop("id", "a"), ts=kw.pop("ts", MONDAY_9), site="dc-demo",
                 source=kw.pop("source", "stockade:api"), actor="it-01", action=action, target=target, **kw)
