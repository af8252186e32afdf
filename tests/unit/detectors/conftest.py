"""Small factories for hand-written event sequences against the demo site.

    def test_x(feed):
        f = feed(AfterHours())
        alerts = f.access("2026-11-24 02:14", "D-HV", "badge:1020")

Times are local to the site (Europe/Paris) unless they carry an offset; each
call runs one event through a real ``SiteEngine`` with the detectors given and
returns the alerts that step produced (all alerts so far are in ``f.alerts``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from stockade.engine.engine import Detector, SiteEngine
from stockade.events import (
    Access,
    Admin,
    Alert,
    Device,
    Door,
    Envelope,
    Gate,
    Sensor,
    Stock,
    Tag,
    Tick,
    Video,
)
from stockade.site import SiteConfig, load_site

DEMO = Path(__file__).resolve().parents[3] / "examples" / "sites" / "dc-demo.yaml"
HV = "urn:epc:id:sgtin:0614141.107346."  # Phone X, high value
LOW = "urn:epc:id:sgtin:0614141.107467."  # SSD 2TB, ordinary


def epc(prefix: str, n: int) -> str:
    return f"{prefix}{n}"


class Feed:
    def __init__(self, site: SiteConfig, detectors: list[Detector]) -> None:
        self.site = site
        self.engine = SiteEngine(site, detectors)
        self.alerts: list[Alert] = []
        self.n = 0

    def when(self, t: str | datetime) -> datetime:
        if isinstance(t, datetime):
            return t
        parsed = datetime.fromisoformat(t)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.site.tz)

    def send(self, cls: type[Envelope], t: str | datetime, source: str = "test", **fields: Any) -> list[Alert]:
        self.n += 1
        event_id = fields.pop("id", f"ev-{self.n}")
        event = cls(id=event_id, ts=self.when(t), site=self.site.site, source=source, **fields)
        out = [a for a in self.engine.step(event, self.n) if isinstance(a, Alert)]
        self.alerts.extend(out)
        return out

    def access(self, t: str | datetime, door: str, credential: str | None, result: str = "granted",
               direction: str | None = "in", subject: str | None = None, **kw: Any) -> list[Alert]:
        return self.send(Access, t, door=door, credential=credential, result=result, direction=direction,
                         subject=subject, factors=["badge"], **kw)

    def door(self, t: str | datetime, door: str, state: str, duration_s: float | None = None) -> list[Alert]:
        return self.send(Door, t, door=door, state=state, duration_s=duration_s)

    def video(self, t: str | datetime, camera: str, event: str = "present", label: str = "person",
              **kw: Any) -> list[Alert]:
        return self.send(Video, t, camera=camera, event=event, label=label, **kw)

    def sensor(self, t: str | datetime, sensor: str, zone: str, type: str, **kw: Any) -> list[Alert]:
        return self.send(Sensor, t, sensor=sensor, zone=zone, type=type, **kw)

    def tag(self, t: str | datetime, reader: str, epc: str, **kw: Any) -> list[Alert]:
        return self.send(Tag, t, reader=reader, epc=epc, **kw)

    def stock(self, t: str | datetime, op: str, **kw: Any) -> list[Alert]:
        if "from" in kw:
            kw["from_"] = kw.pop("from")
        return self.send(Stock, t, op=op, **kw)

    def device(self, t: str | datetime, device: str, status: str, **kw: Any) -> list[Alert]:
        return self.send(Device, t, device=device, status=status, **kw)

    def gate(self, t: str | datetime, gate: str, direction: str = "in", **kw: Any) -> list[Alert]:
        return self.send(Gate, t, gate=gate, direction=direction, **kw)

    def admin(self, t: str | datetime, actor: str, action: str, **kw: Any) -> list[Alert]:
        for key in ("start", "end"):
            if isinstance(kw.get(key), str):
                kw[key] = self.when(kw[key])
        kw.setdefault("source", "stockade:api")  # as the admin API writes it (site/authority.py)
        return self.send(Admin, t, actor=actor, action=action, **kw)

    def tick(self, t: str | datetime) -> list[Alert]:
        return self.send(Tick, t, source="bus")


@pytest.fixture(scope="session")
def site() -> SiteConfig:
    return load_site(DEMO)


@pytest.fixture
def feed(site: SiteConfig) -> Callable[..., Feed]:
    def make(*detectors: Detector) -> Feed:
        return Feed(site, list(detectors))

    return make
