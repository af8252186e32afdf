"""``approve``: a named role must approve within a time; what happens on timeout is declared.

The request is logged ``awaiting_approval``; an analyst approves or rejects it
through the API (never the one who asked for it: the incident's assignee when
the step was requested). On timeout: ``proceed`` (approved by the clock),
``skip`` (the step and those depending on it are skipped) or ``escalate``
(the step fails, which escalates).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator

from stockade.response.durations import Duration
from stockade.response.intents import AskApproval
from stockade.response.steps.base import PlanContext, StepSpec


class ApproveSpec(StepSpec):
    do: Literal["approve"]
    role: tuple[str, ...] = Field(min_length=1, description="roles that may approve")
    within: Duration = Field(description="time to decide")
    on_timeout: Literal["proceed", "skip", "escalate"] = Field(description="what the clock decides")

    @field_validator("role", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    def plan(self, ctx: PlanContext) -> AskApproval:
        return AskApproval(**ctx.common(), roles=self.role, due=ctx.now + timedelta(seconds=self.within),
                           requested_by=ctx.incident.assignee)
