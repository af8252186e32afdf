"""A blind-and-grab incident on the demo site, fed through the response loop in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from stockade.events import Door, Entities, Incident
from stockade.events.model import Action
from stockade.incidents.changes import change_event
from stockade.incidents.lifecycle import Change
from stockade.response.playbook import PlaybookSet
from stockade.response.rehearsal import Rehearsal
from stockade.site import SiteConfig, load_site

DEMO = Path(__file__).resolve().parents[3] / "examples" / "sites" / "dc-demo.yaml"
T0 = datetime(2026, 11, 21, 2, 10, tzinfo=UTC)
DOCK_DOORS = ("D-PACK-DOCK", "D-YARD-DOCKOUT", "D-FIRE-S")


def demo_site() -> SiteConfig:
    return load_site(DEMO)


def blind_and_grab(n: int = 1, at_s: float = 0, incident: str = "inc-bg") -> Incident:
    at = T0 + timedelta(seconds=at_s)
    return Incident(id=f"{incident}:{n}", ts=at, site="dc-demo", source="stockade/correlation", incident=incident,
                    pattern="blind_and_grab", severity="critical", status="new", start=T0 - timedelta(seconds=60),
                    end=at, entities=Entities(zones=("dock-out",), devices=("C-DOCK-1",)), alerts=("al-1",),
                    evidence=(), summary="Blind and grab in dock-out")


def analyst(change: Change, at_s: float, actor: str = "k-ann", n: int = 1, incident: str = "inc-bg") -> Action:
    return change_event("dc-demo", incident, change, actor=actor, at=T0 + timedelta(seconds=at_s),
                        event_id=f"chg-{n}")


def locked(door: str, at_s: float) -> Door:
    return Door(id=f"lk-{door}-{at_s}", ts=T0 + timedelta(seconds=at_s), site="dc-demo", source="ctl-1", door=door,
                state="locked")


def rehearsal(**kw: object) -> Rehearsal:
    return Rehearsal(demo_site(), PlaybookSet().playbooks, **kw)  # type: ignore[arg-type]  # test keywords


def outcomes(r: Rehearsal) -> list[tuple[str, str]]:
    return [(str(a.target), a.outcome) for a in r.actions]
