"""The offline analysis path shared by ``stockade analyze`` and ``stockade eval``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import ClassVar

import pytest

from stockade.engine.correlation import Correlator
from stockade.engine.engine import SiteEngine
from stockade.engine.risk import RiskModel
from stockade.engine.state import SiteState
from stockade.events import Alert, Door, Entities, Envelope, Incident
from stockade.pipeline.analyze import analyze
from stockade.site import SiteConfig, load_site

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=timezone(timedelta(hours=1)))


class ForcedDoor:
    """A stand-in detector: every forced door is a high alert."""

    id: ClassVar[str] = "STK-DOR-001"
    kinds: ClassVar[frozenset[str]] = frozenset({"door"})

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Door) or event.state != "forced":
            return []
        return [Alert(id=f"al-{event.id}", ts=event.ts, site=event.site, source="test", detector=self.id,
                      severity="high", entities=Entities(doors=(event.door,)), evidence=(event.id,),
                      summary=f"door {event.door} forced")]


@pytest.fixture(scope="module")
def site(demo_site_path: Path) -> SiteConfig:
    return load_site(demo_site_path)


def engine(site: SiteConfig) -> SiteEngine:
    return SiteEngine(site, [ForcedDoor()], Correlator(site), RiskModel(site))


def door(i: int, minute: int, state: str = "forced", name: str = "D-HV") -> Door:
    return Door(id=f"ev-{i}", ts=T0 + timedelta(minutes=minute), site="dc-demo", source="ctrl", door=name,
                state=state)  # type: ignore[arg-type]


def events() -> list[Envelope]:
    return [door(3, 9), door(1, 0), door(2, 1, "closed"), door(4, 90, name="D-SERVER")]


def test_events_run_in_event_time_order_into_alerts_and_incidents(site: SiteConfig) -> None:
    result = analyze(site, events(), engine)
    assert [a.id for a in result.alerts] == ["al-ev-1", "al-ev-3", "al-ev-4"]
    assert len(result.incidents) == 2
    first = result.incidents[0]
    assert first.alerts == ("al-ev-1", "al-ev-3")
    assert [v.id for v in result.versions] == [f"{first.incident}:1", f"{first.incident}:2",
                                               f"{result.incidents[1].incident}:1"]
    assert result.opened[first.incident] == T0
    assert result.events == 4
    assert result.risk is not None
    assert result.risk.score("zone", "hv-cage", T0) > result.risk.score("zone", "server-room", T0) > 0
    assert [z for z, _ in result.risk.top("zone", 2, T0)] == ["hv-cage", "storage"]


def test_outputs_in_the_input_are_skipped_not_rerun(site: SiteConfig) -> None:
    old = analyze(site, events(), engine)
    again = analyze(site, [*events(), *old.alerts, *old.versions], engine)
    assert again.skipped == len(old.alerts) + len(old.versions)
    assert again.alerts == old.alerts
    assert again.incidents == old.incidents


def test_replay_reproduces_incident_ids_and_versions_exactly(site: SiteConfig) -> None:
    a, b = analyze(site, events(), engine), analyze(site, list(reversed(events())), engine)
    assert a.versions == b.versions
    assert all(isinstance(v, Incident) for v in a.versions)
