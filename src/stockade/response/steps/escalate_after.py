"""``escalate_after``: an SLA timer on event time.

If the incident is not ``acknowledged`` (or ``contained``, or ``resolved``:
``unless``) within ``after`` of its opening, run ``then`` (notify or assign
steps, in order); if it is in time, the step is skipped. TAPA FSR asks for
alarms acknowledged and escalated within 3 minutes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stockade.response.durations import Duration
from stockade.response.steps.assign import AssignSpec
from stockade.response.steps.base import StepSpec
from stockade.response.steps.notify import NotifySpec

REACHED: dict[str, tuple[str, ...]] = {
    "acknowledged": ("acknowledged", "contained", "resolved", "closed"),
    "contained": ("contained", "resolved", "closed"),
    "resolved": ("resolved", "closed"),
}


class ThenNotify(NotifySpec):
    id: str = Field("then", pattern=r"^[A-Za-z0-9_-]{1,64}$")


class ThenAssign(AssignSpec):
    id: str = Field("then", pattern=r"^[A-Za-z0-9_-]{1,64}$")


class EscalateAfterSpec(StepSpec):
    do: Literal["escalate_after"]
    after: Duration = Field(description="time from the incident's opening")
    unless: Literal["acknowledged", "contained", "resolved"] = "acknowledged"
    then: tuple[ThenNotify | ThenAssign, ...] = Field(min_length=1, description="steps run on escalation")
