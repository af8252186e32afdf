"""The attack catalogue: one class per attack type, grouped by family in this folder.

    >>> sorted(ATTACKS)[:3]
    ['badge_probing', 'blind_and_grab', 'borrowed_badge']
"""

from __future__ import annotations

from stockade.sim.attacks.access import BadgeProbing, ClonedBadge, ProppedDoor, Tailgating
from stockade.sim.attacks.admin import SelfGrant, VendorOutOfScope
from stockade.sim.attacks.base import Attack
from stockade.sim.attacks.blinding import BlindAndGrab, EventSuppression
from stockade.sim.attacks.insider import InsiderAfterHours, RecordCoverUp, SlowShrinkage
from stockade.sim.attacks.novel import NOVEL
from stockade.sim.attacks.perimeter import DockLoitering, PerimeterBreach
from stockade.sim.attacks.tags import ClonedTag
from stockade.sim.attacks.trucks import FictitiousPickup, SealSwap

_CATALOGUE: tuple[type[Attack], ...] = (
    InsiderAfterHours, Tailgating, ClonedBadge, BlindAndGrab, FictitiousPickup, RecordCoverUp,
    PerimeterBreach, VendorOutOfScope, SelfGrant, SlowShrinkage, ClonedTag, BadgeProbing,
    ProppedDoor, DockLoitering, SealSwap, EventSuppression,
)
ATTACKS: dict[str, type[Attack]] = {a.type: a for a in _CATALOGUE + NOVEL}

__all__ = ["ATTACKS", "Attack"]
