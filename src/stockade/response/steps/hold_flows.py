"""``hold_flows``: hold a zone's inbound and/or outbound WMS tasks until ``expires``.

Sent through the flow-control port (a webhook to the WMS with the zone, the
direction, the incident and the expiry). While a hold stands, a ``ship`` or
``pick`` from that zone, or a gate departure through it, is an alert
(:mod:`stockade.response.holds`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stockade.response.durations import Duration
from stockade.response.intents import Hold
from stockade.response.steps.base import PlanContext, StepSpec


class HoldFlowsSpec(StepSpec):
    do: Literal["hold_flows"]
    zones: Literal["incident"] | tuple[str, ...] = Field("incident", description="'incident' or zone ids")
    direction: Literal["inbound", "outbound", "both"] = "outbound"
    expires: Duration = Field(4 * 3600, description="how long the hold stands")

    def plan(self, ctx: PlanContext) -> Hold:
        expires_us = int(ctx.now.timestamp() * 1_000_000) + self.expires * 1_000_000
        return Hold(**ctx.common(), zones=ctx.zones(self.zones), direction=self.direction, expires_us=expires_us)
