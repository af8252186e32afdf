"""Every detector of the catalogue, by id, with parameters from configuration.

    >>> from stockade.detectors.registry import all_detectors
    >>> [d.id for d in all_detectors()][:2]
    ['STK-ACC-001', 'STK-ACC-002']
    >>> d = all_detectors({"STK-ACC-002": {"threshold": 6}})[1]
    >>> d.params.threshold
    6

Configuration maps a detector id to overrides of its parameters; unknown ids
and unknown parameter names are errors (``DetectorConfigError``), so a typo
never silently leaves a default in place. ``{"enabled": false}`` turns one off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from stockade.detectors.acc_001_after_hours import AfterHours
from stockade.detectors.acc_002_denied_burst import DeniedBurst
from stockade.detectors.acc_003_impossible_use import ImpossibleUse
from stockade.detectors.acc_004_anti_passback import AntiPassback
from stockade.detectors.acc_005_role_violation import RoleViolation
from stockade.detectors.acc_006_borrowed_credential import BorrowedCredential
from stockade.detectors.adm_001_privilege_change import PrivilegeChange
from stockade.detectors.ano_001_access_anomaly import AccessAnomaly
from stockade.detectors.base import DetectorBase
from stockade.detectors.dev_001_device_down import DeviceDown
from stockade.detectors.dev_002_sequence_gap import SequenceGap
from stockade.detectors.dev_003_disarmed_closed import DisarmedClosed
from stockade.detectors.dor_001_forced_door import ForcedDoor
from stockade.detectors.dor_002_held_door import HeldDoor
from stockade.detectors.gat_001_appointment_mismatch import AppointmentMismatch
from stockade.detectors.gat_002_seal_mismatch import SealMismatch
from stockade.detectors.inv_001_unexplained_exit import UnexplainedExit
from stockade.detectors.inv_002_count_shortfall import CountShortfall
from stockade.detectors.inv_003_suspicious_write_off import SuspiciousWriteOff
from stockade.detectors.inv_004_cloned_tag import ClonedTag
from stockade.detectors.inv_005_unknown_or_gone_tag import UnknownOrGoneTag
from stockade.detectors.inv_006_unsupported_record import UnsupportedRecord
from stockade.detectors.inv_007_accumulated_loss import AccumulatedLoss
from stockade.detectors.led_001_ledger_integrity import LedgerIntegrity
from stockade.detectors.per_001_perimeter_breach import PerimeterBreach
from stockade.detectors.ven_001_vendor_out_of_scope import VendorOutOfScope
from stockade.detectors.vid_001_tailgating import Tailgating
from stockade.detectors.vid_002_loitering import Loitering
from stockade.detectors.vid_003_person_in_armed_zone import PersonInArmedZone
from stockade.engine.engine import Detector
from stockade.errors import StockadeError

CATALOGUE: dict[str, type[DetectorBase[Any]]] = {
    cls.id: cls
    for cls in (
        AfterHours,
        DeniedBurst,
        ImpossibleUse,
        AntiPassback,
        RoleViolation,
        BorrowedCredential,
        ForcedDoor,
        HeldDoor,
        Tailgating,
        Loitering,
        PersonInArmedZone,
        PerimeterBreach,
        DeviceDown,
        SequenceGap,
        DisarmedClosed,
        UnexplainedExit,
        CountShortfall,
        SuspiciousWriteOff,
        ClonedTag,
        UnknownOrGoneTag,
        UnsupportedRecord,
        AccumulatedLoss,
        AppointmentMismatch,
        SealMismatch,
        PrivilegeChange,
        VendorOutOfScope,
        AccessAnomaly,
        LedgerIntegrity,
    )
}


class DetectorConfigError(StockadeError):
    """Detector configuration names an unknown detector or parameter, or a bad value."""


def all_detectors(params: Mapping[str, Mapping[str, Any]] | None = None) -> list[Detector]:
    """One instance of every catalogue detector, in catalogue order, with overrides applied."""
    params = params or {}
    unknown = sorted(set(params) - set(CATALOGUE))
    if unknown:
        raise DetectorConfigError(
            f"unknown detector id(s) {', '.join(unknown)}; known: {', '.join(CATALOGUE)}"
        )
    out: list[Detector] = []
    for det_id, cls in CATALOGUE.items():
        overrides = dict(params.get(det_id, {}))
        if overrides.pop("enabled", True) is False:
            continue
        try:
            out.append(cls(overrides))
        except msgspec.ValidationError as e:
            raise DetectorConfigError(f"{det_id}: {e}") from e
    return out
