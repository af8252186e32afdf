"""STK-INV-001: tagged goods leave through an exit with no pick or shipment for them.

A portal reader in an ``exit`` zone reads an EPC going ``out``. Goods that
were picked (or shipped) may leave; anything else is unexplained. EPCs are
grouped per reader while they keep coming: one alert at the first, then one at
each step (5, 20, 100, 500) so the guard sees the size of what is leaving.

    23 tags (19 high-value, €17,840) left through R-DOCKOUT-1 (dock-out) between 02:14 and 02:23 with no
      pick or shipment
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.detectors.bursts import Burst, Bursts
from stockade.engine.state import SiteState
from stockade.engine.state.stock import PICKED, SHIPPED, sku_of
from stockade.events import Alert, Envelope, Tag
from stockade.events.model import Severity


class UnexplainedExitParams(Params, frozen=True):
    gap_s: float = 600
    steps: tuple[int, ...] = (1, 5, 20, 100, 500)
    single: Severity = "low"  # one ordinary tag: often a stray read
    single_high_value: Severity = "medium"
    several: Severity = "high"  # at least ``several_at`` tags, or high-value ones
    several_at: int = 3
    pallet: Severity = "critical"
    pallet_at: int = 20
    portal_only: bool = True
    need_direction: bool = True  # a portal read without a direction is not judged


class UnexplainedExitMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    bursts: dict[str, Burst]


class UnexplainedExit(DetectorBase[UnexplainedExitParams]):
    id = "STK-INV-001"
    kinds = frozenset({"tag"})
    params_type = UnexplainedExitParams
    memory_type = UnexplainedExitMemory

    def setup(self) -> None:
        self._bursts = Bursts(self.params.gap_s, self.params.steps)

    def save_memory(self) -> UnexplainedExitMemory:
        return UnexplainedExitMemory(self._bursts.open)

    def load_memory(self, memory: msgspec.Struct) -> None:
        if not isinstance(memory, UnexplainedExitMemory):  # the snapshot decoded it as memory_type
            raise TypeError(f"{type(self).__name__} cannot load a {type(memory).__name__}")
        self._bursts.open = memory.bursts

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Tag):
            return []
        p = self.params
        if event.direction != "out" and (p.need_direction or event.direction == "in"):
            return []
        zone = state.stock.reader_zone.get(event.reader)
        if zone is None or zone not in state.exit_zones:
            return []
        if p.portal_only and event.reader not in state.portal_readers:
            return []
        if state.stock.flags(event.epc) & (PICKED | SHIPPED):
            return []
        burst = self._bursts.add(event.reader, event.epc, event.id, state.ms)
        if burst is None:
            return []
        return [self._alert(state, event, zone, burst)]

    def _alert(self, state: SiteState, event: Tag, zone: str, burst: Burst) -> Alert:
        p = self.params
        epcs = list(burst.epcs)
        skus = state.site.skus_by_id
        hv = [e for e in epcs if (s := skus.get(sku_of(e) or "")) is not None and s.high_value]
        value = sum(s.value for e in epcs if (s := skus.get(sku_of(e) or "")) is not None)
        n = len(epcs)
        if n >= p.pallet_at:
            severity = p.pallet
        elif n >= p.several_at or (hv and n > 1):
            severity = p.several
        else:
            severity = p.single_high_value if hv else p.single
        start = burst.start_ms
        first = state.clock.local(event.ts)
        since = clock(state, event.ts) if n == 1 else None
        worth = f", €{value:,.0f}" if value else ""
        what = (
            f"{n} tag(s) ({len(hv)} high-value{worth})"
            if n > 1
            else (f"Tag {epcs[0]} ({'high-value' if hv else 'ordinary'}{worth})")
        )
        when = (
            f"at {since}"
            if since
            else f"within {max(1, (burst.last_ms - start) // 60000)} min up to {first:%H:%M}"
        )
        summary = (
            f"{what} left through {event.reader} ({zone}) {when} with no pick or shipment for them."
            " Stop the truck at the gate and check the dock cameras."
        )
        return self.alert(
            state,
            event.ts,
            severity,
            summary,
            list(burst.epcs.values()),
            salt=str(burst.reported),
            epcs=epcs[:200],
            zones=[zone],
            devices=[event.reader],
        )
