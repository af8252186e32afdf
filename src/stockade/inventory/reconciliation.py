"""What a reconciliation answers: per zone and SKU lines, the itemised differences, record accuracy
and shrinkage (built by :class:`stockade.inventory.reconcile.Reconciler`, read by the inventory API
and ``stockade report inventory``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Difference:
    epc: str
    sku: str
    zone: str  # where the difference is: the expected zone (missing) or the seen zone (unexpected)
    kind: str  # missing | misplaced | unexpected
    explained: str | None  # in_transit | picked | shipped | written_off | None
    expected_zone: str | None
    seen_zone: str | None
    value: float


@dataclass(slots=True)
class Line:
    """Expected and seen quantities and value of one zone, one SKU or one zone-SKU record."""

    key: str
    expected: int = 0
    seen: int = 0
    unverified: int = 0
    explained: int = 0
    unexplained: int = 0
    expected_value: float = 0.0
    seen_value: float = 0.0

    @property
    def difference(self) -> int:
        return self.seen - self.expected

    @property
    def difference_value(self) -> float:
        return round(self.seen_value - self.expected_value, 2)

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "expected": self.expected, "seen": self.seen, "difference": self.difference,
                "unverified": self.unverified, "explained": self.explained, "unexplained": self.unexplained,
                "expected_value": round(self.expected_value, 2), "seen_value": round(self.seen_value, 2),
                "difference_value": self.difference_value}


@dataclass(slots=True)
class Shrink:
    key: str
    items: int = 0
    value: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "items": self.items, "value": round(self.value, 2)}


@dataclass
class Reconciliation:
    site: str
    as_of: datetime | None
    zones: list[Line]
    skus: list[Line]
    differences: list[Difference]
    difference_counts: dict[str, int]
    accuracy: dict[str, float | None]  # zone -> record accuracy now (None: nothing verified)
    accuracy_by_week: dict[str, dict[str, float]]  # week -> zone -> accuracy of the counts that week
    shrinkage_by_zone: list[Shrink]
    shrinkage_by_sku: list[Shrink]
    shrinkage_by_week: list[Shrink]
    shrinkage_by_reason: list[Shrink]
    totals: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "site": self.site, "as_of": self.as_of.isoformat() if self.as_of else None, "totals": self.totals,
            "zones": [z.as_dict() for z in self.zones], "skus": [s.as_dict() for s in self.skus],
            "accuracy": self.accuracy, "accuracy_by_week": self.accuracy_by_week,
            "difference_counts": self.difference_counts,
            "differences": [{"epc": d.epc, "sku": d.sku, "zone": d.zone, "kind": d.kind, "explained": d.explained,
                             "expected_zone": d.expected_zone, "seen_zone": d.seen_zone, "value": d.value}
                            for d in self.differences],
            "shrinkage": self.shrinkage_dict(),
        }

    def shrinkage_dict(self) -> dict[str, object]:
        return {"by_zone": [s.as_dict() for s in self.shrinkage_by_zone],
                "by_sku": [s.as_dict() for s in self.shrinkage_by_sku],
                "by_week": [s.as_dict() for s in self.shrinkage_by_week],
                "by_reason": [s.as_dict() for s in self.shrinkage_by_reason],
                "items": self.totals.get("shrinkage_items", 0), "value": self.totals.get("shrinkage_value", 0.0)}
