"""One file per playbook step; :data:`Step` is the union a playbook's ``steps`` list holds, tagged by ``do``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stockade.response.steps.approve import ApproveSpec
from stockade.response.steps.assign import AssignSpec
from stockade.response.steps.capture_evidence import CaptureEvidenceSpec
from stockade.response.steps.escalate_after import EscalateAfterSpec
from stockade.response.steps.hold_flows import HoldFlowsSpec
from stockade.response.steps.lockdown import LockdownSpec
from stockade.response.steps.notify import NotifySpec

AnyStep = (LockdownSpec | HoldFlowsSpec | CaptureEvidenceSpec | NotifySpec | AssignSpec | ApproveSpec
           | EscalateAfterSpec)
Step = Annotated[AnyStep, Field(discriminator="do")]
STEP_KINDS = ("lockdown", "hold_flows", "capture_evidence", "notify", "assign", "approve", "escalate_after")

__all__ = ["STEP_KINDS", "AnyStep", "ApproveSpec", "AssignSpec", "CaptureEvidenceSpec", "EscalateAfterSpec",
           "HoldFlowsSpec", "LockdownSpec", "NotifySpec", "Step"]
