"""What every step shares: its id, ``depends_on`` and ``run_if``; and what planning one sees.

A step file defines its spec (a pydantic model tagged by ``do``) with a
``plan(ctx)`` that turns it into an intent. The planner owns ordering, timers
and outcomes; a step only says what it asks the world for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from pydantic import Field

from stockade.incidents.model import IncidentState
from stockade.response.conditions import Condition, Model
from stockade.site import SiteConfig

StepId = str


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """What planning needs of the site file: zone kinds, and the doors of each zone."""

    zone_kinds: Mapping[str, str]
    zone_doors: Mapping[str, tuple[str, ...]]
    gate_zones: Mapping[str, str] = field(default_factory=dict)


class Common(TypedDict):
    id: str
    site: str
    incident: str
    playbook: str
    step: str
    at: datetime
    drill: bool


@dataclass(frozen=True, slots=True)
class PlanContext:
    site: str
    incident: IncidentState
    playbook: str
    step: str  # "<playbook>:<step id>"
    intent: str  # the stable intent id
    now: datetime
    facts: SiteFacts
    drill: bool = False

    def zones(self, zones: str | tuple[str, ...]) -> tuple[str, ...]:
        """``incident`` means the zones the incident touches (that the site knows)."""
        if zones == "incident":
            return tuple(z for z in self.incident.entities.zones if z in self.facts.zone_kinds)
        return tuple(zones)

    def common(self) -> Common:
        return {"id": self.intent, "site": self.site, "incident": self.incident.id, "playbook": self.playbook,
                "step": self.step, "at": self.now, "drill": self.drill}


class StepSpec(Model):
    id: StepId = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="unique in the playbook")
    depends_on: tuple[StepId, ...] = Field((), description="steps that must succeed first")
    run_if: Condition | None = Field(None, description="run only when the incident matches, else skipped")


def site_facts(site: SiteConfig) -> SiteFacts:
    """Zone kinds and the doors of each zone, from the site file."""
    doors: dict[str, list[str]] = {z.id: [] for z in site.zones}
    for door in site.doors:
        for zone in door.zones:
            doors.setdefault(zone, []).append(door.id)
    return SiteFacts(zone_kinds={z.id: z.kind for z in site.zones},
                     zone_doors={z: tuple(d) for z, d in doors.items()},
                     gate_zones={g.id: g.zone for g in site.gates})
