"""STK-INV-005: an EPC reported stolen, destroyed or decommissioned, or never received, seen again.

* A tag whose EPC was written off as ``stolen``, ``destroyed`` or
  ``decommissioned`` (reason, or EPCIS disposition in ``attrs.disposition``)
  is read anywhere: high, once per EPC.
* A tag no stock transaction ever mentioned is read in a storage or
  high-value zone, or leaving through an exit: counterfeit or smuggled-in
  goods (or a cloned tag). Reads at a receiving dock are normal before the
  ``receive``. Grouped per reader like STK-INV-001. Judged only once the log
  has declared its stock on hand (``receive`` with ``reason: opening_balance``)
  or has run ``warmup_s`` of event time, so a log that starts mid-operation
  does not flag every tag it never saw received.

    Tag urn:epc:id:sgtin:0614141.107346.9001, written off as stolen on 19 Nov, read by R-DOCKOUT-1
      (dock-out) at 14:02
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.detectors.bursts import Burst, Bursts
from stockade.engine.state import SiteState
from stockade.engine.state.stock import GONE, KNOWN, RECEIVED, sku_of
from stockade.events import Alert, Envelope, Tag
from stockade.events.model import Severity

JUDGED_KINDS = frozenset({"storage", "high_value"})


class UnknownOrGoneTagParams(Params, frozen=True):
    gone: Severity = "high"
    unknown: Severity = "medium"
    unknown_leaving: Severity = "high"
    warmup_s: float = 86400
    gap_s: float = 600
    steps: tuple[int, ...] = (1, 10, 50, 200)


class UnknownOrGoneTagMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    bursts: dict[str, Burst]
    gone_seen: set[str]
    first_ms: int | None


class UnknownOrGoneTag(DetectorBase[UnknownOrGoneTagParams]):
    id = "STK-INV-005"
    kinds = frozenset({"tag"})
    params_type = UnknownOrGoneTagParams
    memory_type = UnknownOrGoneTagMemory

    def setup(self) -> None:
        self._bursts = Bursts(self.params.gap_s, self.params.steps)
        self._gone_seen: set[str] = set()
        self._first_ms: int | None = None

    def save_memory(self) -> UnknownOrGoneTagMemory:
        return UnknownOrGoneTagMemory(self._bursts.open, self._gone_seen, self._first_ms)

    def load_memory(self, memory: msgspec.Struct) -> None:
        if not isinstance(memory, UnknownOrGoneTagMemory):  # the snapshot decoded it as memory_type
            raise TypeError(f"{type(self).__name__} cannot load a {type(memory).__name__}")
        self._bursts.open = memory.bursts
        self._gone_seen, self._first_ms = memory.gone_seen, memory.first_ms

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Tag):
            return []
        if self._first_ms is None:
            self._first_ms = state.ms
        flags = state.stock.flags(event.epc)
        zone = state.stock.reader_zone.get(event.reader)
        if flags & GONE:
            if event.epc in self._gone_seen:
                return []
            self._gone_seen.add(event.epc)
            summary = (
                f"Tag {event.epc}{_name(state, event.epc)}, written off as stolen, destroyed or"
                f" decommissioned, was read by {event.reader} ({zone or 'unknown zone'}) at"
                f" {clock(state, event.ts)}: the write-off was false or the tag was cloned."
            )
            return [
                self.alert(
                    state,
                    event.ts,
                    self.params.gone,
                    summary,
                    [event.id],
                    epcs=[event.epc],
                    zones=[zone],
                    devices=[event.reader],
                )
            ]
        if flags & (RECEIVED | KNOWN) or zone is None:
            return []
        leaving = zone in state.exit_zones and event.direction != "in"
        z = state.site.zones_by_id.get(zone)
        if not leaving and (z is None or z.kind not in JUDGED_KINDS):
            return []
        if not state.stock.opening_declared and state.ms - self._first_ms < self.params.warmup_s * 1000:
            return []
        burst = self._bursts.add(event.reader, event.epc, event.id, state.ms)
        if burst is None:
            return []
        n = len(burst.epcs)
        severity = self.params.unknown_leaving if leaving else self.params.unknown
        where = "leaving through" if leaving else "read by"
        what = (
            f"{n} tags never received"
            if n > 1
            else f"Tag {event.epc}{_name(state, event.epc)}, never received,"
        )
        summary = (
            f"{what} {where} {event.reader} ({zone}) at {clock(state, event.ts)}: no receipt or"
            " transaction knows them. Counterfeit, smuggled or cloned tags: hold the goods."
        )
        return [
            self.alert(
                state,
                event.ts,
                severity,
                summary,
                list(burst.epcs.values()),
                salt=str(n),
                epcs=list(burst.epcs)[:200],
                zones=[zone],
                devices=[event.reader],
            )
        ]


def _name(state: SiteState, epc: str) -> str:
    sku = state.site.skus_by_id.get(sku_of(epc) or "")
    return f" ({sku.name})" if sku else ""
