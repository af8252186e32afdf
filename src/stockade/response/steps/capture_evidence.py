"""``capture_evidence``: a bundle of every event in the incident's window, provable offline.

The window is from ``before`` ahead of the incident's first evidence to
``after`` past its last. The executor builds the bundle (events, inclusion
proofs against one signed checkpoint, the checkpoint, camera clip references)
and asks the evidence store to retain the clips.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from stockade.response.durations import Duration
from stockade.response.intents import Evidence
from stockade.response.steps.base import PlanContext, StepSpec


class CaptureEvidenceSpec(StepSpec):
    do: Literal["capture_evidence"]
    before: Duration = Field(30 * 60, description="window start, before the first evidence")
    after: Duration = Field(15 * 60, description="window end, after the last evidence")

    def plan(self, ctx: PlanContext) -> Evidence:
        return Evidence(**ctx.common(), start=ctx.incident.start - timedelta(seconds=self.before),
                        end=ctx.incident.end + timedelta(seconds=self.after))
