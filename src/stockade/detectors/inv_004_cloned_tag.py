"""STK-INV-004: one EPC read in two distant places at once (cloned tag).

Goods move no faster than people: two reads of the same EPC in zones that are
``hops`` doors apart (at least ``min_hops``) less than ``hops × walk_s_per_hop``
seconds apart cannot be the same tag. Neighbouring zones are ignored (a portal
can catch a tag through a wall). One alert per EPC per ``repeat_s``.

    Tag urn:epc:id:sgtin:0614141.107346.2017 read in hv-cage (R-HV-1) at 03:12:05 and in dock-out 6 s
      earlier: 3 doors apart need 60 s
"""

from __future__ import annotations

from stockade.detectors.base import DetectorBase, Params, clock, span
from stockade.engine.state import SiteState
from stockade.engine.state.stock import sku_of
from stockade.events import Alert, Envelope, Tag
from stockade.events.model import Severity


class ClonedTagParams(Params, frozen=True):
    min_hops: int = 2
    repeat_s: float = 3600
    severity: Severity = "high"
    memory: int = 50_000


class ClonedTag(DetectorBase[ClonedTagParams]):
    id = "STK-INV-004"
    kinds = frozenset({"tag"})
    params_type = ClonedTagParams

    def setup(self) -> None:
        self._alerted: dict[str, int] = {}

    def observe(self, state: SiteState, event: Tag | Envelope) -> list[Alert]:
        assert isinstance(event, Tag)
        stock = state.stock
        last = stock.last_read(event.epc)
        if last is None:
            return []
        zone = stock.reader_zone.get(event.reader)
        if zone is None or not last[1] or last[1] == zone:
            return []
        p = self.params
        hops = state.topology.zone_hops(last[1], zone)
        if hops < p.min_hops or hops >= 10**6:
            return []
        gap_s = abs(state.ms - last[0]) / 1000
        need = state.topology.min_transit_s(hops)
        if gap_s >= need:
            return []
        seen = self._alerted.get(event.epc)
        if seen is not None and state.ms - seen < p.repeat_s * 1000:
            return []
        self._alerted[event.epc] = state.ms
        if len(self._alerted) > p.memory:
            for k in list(self._alerted)[: p.memory // 2]:
                del self._alerted[k]
        sku = state.site.skus_by_id.get(sku_of(event.epc) or "")
        what = f" ({sku.name})" if sku else ""
        summary = (
            f"Tag {event.epc}{what} read in {zone} ({event.reader}) at {clock(state, event.ts)} and in"
            f" {last[1]} {span(gap_s)} before: {hops} doors apart need at least {span(need)}."
            " A cloned tag is covering for stolen goods: check both places."
        )
        prev = stock.read_id(event.epc)
        return [
            self.alert(
                state,
                event.ts,
                p.severity,
                summary,
                [prev, event.id],
                epcs=[event.epc],
                zones=[last[1], zone],
                devices=[event.reader],
            )
        ]
