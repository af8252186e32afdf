"""``assign``: give the incident to a person or a role."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stockade.response.intents import AssignTo
from stockade.response.steps.base import PlanContext, StepSpec


class AssignSpec(StepSpec):
    do: Literal["assign"]
    to: str = Field(min_length=1, max_length=128, description="a person or a role")

    def plan(self, ctx: PlanContext) -> AssignTo:
        return AssignTo(**ctx.common(), assignee=self.to)
