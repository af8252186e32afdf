"""``lockdown``: raise the zones' threat level and lock their doors, confirmed by the doors' state.

Entry only: the lock command asks a controller to refuse entry; egress,
request-to-exit and life-safety releases are never blocked (Genetec's rule),
which is the controller's to honour. The step is ``confirmed`` when every door
has reported ``locked`` after the command, else ``failed`` (and escalated)
after ``confirm_within``. A threat level never reverts by itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stockade.response.durations import Duration
from stockade.response.intents import Lock
from stockade.response.steps.base import PlanContext, StepSpec


class LockdownSpec(StepSpec):
    do: Literal["lockdown"]
    zones: Literal["incident"] | tuple[str, ...] = Field("incident", description="'incident' or zone ids")
    level: Literal["elevated", "lockdown"] = "lockdown"
    confirm_within: Duration = Field(30, description="time for every door to report locked")

    def plan(self, ctx: PlanContext) -> Lock:
        zones = ctx.zones(self.zones)
        doors = tuple(dict.fromkeys(d for z in zones for d in ctx.facts.zone_doors.get(z, ())))
        return Lock(**ctx.common(), zones=zones, doors=doors, level=self.level,
                    confirm_within_s=self.confirm_within)
