"""STK-INV-004: one EPC read in two distant places at once (cloned tag).

Two ways a tag gives away its twin:

* two reads of the same EPC in zones ``hops`` doors apart (at least
  ``min_hops``) closer in time than goods can be carried:
  ``hops × walk_s_per_hop × transit_factor`` (a person with goods is slower
  than one walking free through badge doors). Neighbouring zones are ignored:
  a portal can catch a tag through a wall;
* an EPC the records hold on a shelf (received, not picked, shipped or written
  off, expected in a storage or high-value zone) read *arriving* through an
  inbound portal (``direction: in``, not an exit zone): the same EPC cannot
  come in from outside while it sits inside.

One alert per EPC per ``repeat_s``.

    Tag urn:epc:id:sgtin:0614141.107445.100102 (VR Headset) read in dock-in (R-DOCKIN-1) at 00:06 and in
      hv-cage 49 s before: 2 doors apart need at least 60 s
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span
from stockade.engine.state import SiteState
from stockade.engine.state.stock import GONE, PICKED, RECEIVED, SHIPPED, WRITTEN_OFF, sku_of, zone_of
from stockade.events import Alert, Envelope, Tag
from stockade.events.model import Severity

SHELF_KINDS = frozenset({"storage", "high_value"})


class ClonedTagParams(Params, frozen=True):
    min_hops: int = 2
    transit_factor: float = 1.5
    repeat_s: float = 3600
    severity: Severity = "high"
    memory: int = 50_000


class ClonedTagMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    alerted: dict[str, int]


class ClonedTag(DetectorBase[ClonedTagParams]):
    id = "STK-INV-004"
    kinds = frozenset({"tag"})
    params_type = ClonedTagParams
    memory_type = ClonedTagMemory

    def setup(self) -> None:
        self._alerted: dict[str, int] = {}

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Tag):
            return []
        stock = state.stock
        zone = stock.reader_zone.get(event.reader)
        if zone is None:
            return []
        why = self._too_fast(state, event, zone) or self._arriving_from_shelf(state, event, zone)
        if why is None:
            return []
        p = self.params
        seen = self._alerted.get(event.epc)
        if seen is not None and state.ms - seen < p.repeat_s * 1000:
            return []
        self._alerted[event.epc] = state.ms
        if len(self._alerted) > p.memory:
            for k in list(self._alerted)[: p.memory // 2]:
                del self._alerted[k]
        text, other_zone, evidence = why
        sku = state.site.skus_by_id.get(sku_of(event.epc) or "")
        what = f" ({sku.name})" if sku else ""
        summary = (
            f"Tag {event.epc}{what} read in {zone} ({event.reader}) at {clock(state, event.ts)} {text}."
            " A cloned tag is covering for stolen goods: check both places."
        )
        return [
            self.alert(
                state,
                event.ts,
                p.severity,
                summary,
                [*evidence, event.id],
                epcs=[event.epc],
                zones=[other_zone, zone],
                devices=[event.reader],
            )
        ]

    def _too_fast(self, state: SiteState, event: Tag, zone: str) -> tuple[str, str, list[str]] | None:
        last = state.stock.last_read(event.epc)
        if last is None or not last[1] or last[1] == zone:
            return None
        p = self.params
        hops = state.topology.zone_hops(last[1], zone)
        if hops < p.min_hops or hops >= 10**6:
            return None
        gap_s = abs(state.ms - last[0]) / 1000
        need = state.topology.min_transit_s(hops) * p.transit_factor
        if gap_s >= need:
            return None
        text = f"and in {last[1]} {span(gap_s)} before: {hops} doors apart need at least {span(need)}"
        return text, last[1], [state.stock.read_id(event.epc)]

    def _arriving_from_shelf(self, state: SiteState, event: Tag, zone: str) -> tuple[str, str, list[str]] | None:
        if event.direction != "in" or event.reader not in state.portal_readers or zone in state.exit_zones:
            return None
        loc, flags = state.stock.info.get(event.epc, (None, 0))
        if loc is None or not flags & RECEIVED or flags & (PICKED | SHIPPED | GONE | WRITTEN_OFF):
            return None
        shelf = zone_of(loc)
        z = state.site.zones_by_id.get(shelf)
        if z is None or z.kind not in SHELF_KINDS or shelf == zone:
            return None
        return f"arriving inbound while the records hold it at {loc}", shelf, []
