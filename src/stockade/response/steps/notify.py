"""``notify``: a message to a named destination (a webhook configured by name) through the notifier port."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stockade.incidents.model import IncidentState
from stockade.response.intents import Notify
from stockade.response.steps.base import PlanContext, StepSpec


class NotifySpec(StepSpec):
    do: Literal["notify"]
    webhook: str = Field(min_length=1, description="the destination's configured name")
    message: str | None = Field(None, description="a line before the incident's summary")

    def plan(self, ctx: PlanContext) -> Notify:
        return notify(ctx, self.webhook, self.message)


def notify(ctx: PlanContext, destination: str, message: str | None) -> Notify:
    inc = ctx.incident
    subject = f"[{inc.severity}] {inc.pattern} at {inc.site}: {inc.id}"
    return Notify(**ctx.common(), destination=destination, subject=subject, body=_body(inc, message))


def _body(inc: IncidentState, message: str | None) -> dict[str, object]:
    return {"incident": inc.id, "site": inc.site, "pattern": inc.pattern, "severity": inc.severity,
            "status": inc.status, "summary": inc.summary, "message": message, "zones": list(inc.entities.zones)}
