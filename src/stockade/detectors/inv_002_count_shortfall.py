"""STK-INV-002: goods expected at a location are missing at a count, and no transaction explains it.

Expected EPCs come from stock transactions only (a count never changes what
is expected). At a ``count`` of a location, the EPCs expected there but not
found are missing, unless a transaction moved them (already reflected) or they
were read elsewhere within ``seen_elsewhere_s`` (misplaced, not gone). Picked
goods are in flight to the dock for their order and are not judged; goods last
read leaving through an exit were reported then (STK-INV-001).

A WMS count is re-scanned until it lists what is physically there, so by
default one missing EPC alerts. Where counts are raw RFID sweeps that miss a
tag now and then, raise ``min_missing`` / ``min_fraction``: smaller shortfalls
then alert only when the same EPC is missing at two counts in a row of that
location (slow shrinkage). EPCs already
reported missing at a location are not reported again until found.

    Count of storage/A-12 at 06:40 found 212 of 215 expected tags: 3 missing (2 high-value, €1,683)
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, stamp
from stockade.engine.state import SiteState
from stockade.engine.state.stock import PICKED, sku_of, zone_of
from stockade.events import Alert, Envelope, Stock
from stockade.events.model import Severity


class CountShortfallParams(Params, frozen=True):
    min_missing: int = 1  # a WMS count is re-scanned until it shows what is there; raise for raw sweeps
    min_fraction: float = 0.0
    seen_elsewhere_s: float = 86400
    severity: Severity = "medium"
    high_value: Severity = "high"
    value_high: float = 2000


class CountShortfallMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    suspects: dict[str, dict[str, str]]
    reported: dict[str, set[str]]


class CountShortfall(DetectorBase[CountShortfallParams]):
    id = "STK-INV-002"
    kinds = frozenset({"stock"})
    params_type = CountShortfallParams
    memory_type = CountShortfallMemory

    def setup(self) -> None:
        self._suspects: dict[str, dict[str, str]] = {}  # location -> missing epc -> id of the count
        self._reported: dict[str, set[str]] = {}  # location -> missing EPCs already alerted on

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Stock):
            return []
        if event.op != "count" or event.to is None:
            return []
        loc = event.to
        stock = state.stock
        expected = stock.expected(loc)
        found = set(event.epcs or ())
        p = self.params
        zone = zone_of(loc)
        window = int(p.seen_elsewhere_s * 1000)
        gone: list[str] = []
        for epc in expected - found:
            if stock.flags(epc) & PICKED:
                continue  # picked for an order: in flight to the dock, not the location's stock
            last = stock.last_read(epc)
            if (
                last is not None
                and last[1]
                and last[1] != zone
                and (state.ms - last[0] <= window or last[1] in state.exit_zones)
            ):
                continue  # read elsewhere lately (misplaced), or seen leaving (STK-INV-001 told already)
            gone.append(epc)
        gone.sort()
        reported = self._reported.get(loc, set()) & set(gone)  # found again or moved: forgotten
        before = self._suspects.get(loc, {})
        self._suspects[loc] = dict.fromkeys(gone, event.id)
        gone = [e for e in gone if e not in reported]
        repeated = [e for e in gone if e in before]
        self._reported[loc] = reported
        big = len(gone) >= p.min_missing and len(gone) >= p.min_fraction * max(1, len(expected))
        if not big and not repeated:
            return []
        skus = state.site.skus_by_id
        flagged = gone if big else repeated
        self._reported[loc] = reported | set(flagged)
        hv = [e for e in flagged if (s := skus.get(sku_of(e) or "")) is not None and s.high_value]
        value = sum(s.value for e in flagged if (s := skus.get(sku_of(e) or "")) is not None)
        severity = p.high_value if hv or value >= p.value_high else p.severity
        earlier = sorted({before[e] for e in repeated})
        again = ""
        if repeated:
            last_count = stock.last_count.get(loc)
            when = f" of {stamp(state, last_count.ts)}" if last_count else ""
            again = f"; {len(repeated)} also missing at the previous count{when}"
        worth = f", €{value:,.0f}" if value else ""
        summary = (
            f"Count of {loc} at {clock(state, event.ts)} found {len(found)} of {len(expected)} expected"
            f" tags: {len(flagged)} missing ({len(hv)} high-value{worth}) with no transaction to explain"
            f" them{again}. Search the location, then review its cameras."
        )
        return [
            self.alert(
                state,
                event.ts,
                severity,
                summary,
                [*earlier, event.id],
                epcs=flagged[:200],
                zones=[zone],
                people=[event.user],
            )
        ]
