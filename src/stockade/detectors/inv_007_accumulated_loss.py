"""STK-INV-007: small write-offs that add up — theft split below every single threshold.

Each write-off alone is ordinary (one or two items, no presence, within the
user's baseline), but per person, and per SKU across people, they add up over
``window_s`` (7 days): at least ``min_items`` items in at least ``min_events``
write-offs on at least ``min_days`` different local days. Found goods and
upward corrections by the same person or of the same SKU net against the
losses (a recount that finds what it wrote off is no loss). Medium; high past
``value_high``. It fires again only when the accumulation doubles.

    emp-1033 wrote off 9 items (€1,230) in 6 write-offs over 5 days (Mon 23 – Fri 27 Nov), each small:
      3 × SSD 2TB, 6 × Headset; storage/A-2, storage/B-4. Count those bins and review emp-1033's write-offs.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import msgspec

from stockade.detectors.base import DetectorBase, Params, who
from stockade.engine.state import SiteState
from stockade.engine.state.stock import is_write_off, sku_of, zone_of
from stockade.events import Alert, Envelope, Stock
from stockade.events.model import Severity

Entry = tuple[int, int, float, str, str, str]  # ms, items (negative: found), value, event id, sku, location


class AccumulatedLossParams(Params, frozen=True):
    window_s: float = 7 * 86400
    min_items: int = 6
    min_events: int = 3
    min_days: int = 2
    value_high: float = 3000
    severity: Severity = "medium"
    high: Severity = "high"


class AccumulatedLossMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    entries: dict[str, list[Entry]]
    alerted: dict[str, int]


class AccumulatedLoss(DetectorBase[AccumulatedLossParams]):
    id = "STK-INV-007"
    kinds = frozenset({"stock"})
    params_type = AccumulatedLossParams
    memory_type = AccumulatedLossMemory

    def setup(self) -> None:
        self._entries: dict[str, list[Entry]] = {}  # "user:<id>" or "sku:<sku>" -> its write-offs in the window
        self._alerted: dict[str, int] = {}  # key -> items at its last alert

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Stock) or event.op != "adjust":
            return []
        loss = is_write_off(event)
        epcs = event.epcs or ()
        items = len(epcs) or abs(event.qty or 0)
        if items == 0:
            return []
        sku = event.sku or (sku_of(epcs[0]) if epcs else None) or "?"
        s = state.site.skus_by_id.get(sku)
        value = (s.value if s else 0.0) * items
        entry: Entry = (state.ms, items if loss else -items, value if loss else -value, event.id, sku,
                        event.from_ or event.to or "")
        out: list[Alert] = []
        keys = [f"sku:{sku}"] + ([f"user:{event.user}"] if event.user else [])
        cutoff = state.ms - int(self.params.window_s * 1000)
        for key in keys:
            kept = [e for e in self._entries.get(key, ()) if e[0] >= cutoff]
            kept.append(entry)
            self._entries[key] = kept
            if loss:
                alert = self._judge(state, key, kept, event)
                if alert is not None:
                    out.append(alert)
            elif not any(e[1] > 0 for e in kept):
                del self._entries[key]
                self._alerted.pop(key, None)
        return out

    def _judge(self, state: SiteState, key: str, kept: list[Entry], event: Stock) -> Alert | None:
        p = self.params
        losses = [e for e in kept if e[1] > 0]
        net = sum(e[1] for e in kept)
        days = {state.clock.local(_dt(e[0])).date() for e in losses}
        if net < p.min_items or len(losses) < p.min_events or len(days) < p.min_days:
            return None
        if net < 2 * self._alerted.get(key, 0):
            return None
        self._alerted[key] = net
        value = sum(e[2] for e in kept)
        kind, _, name = key.partition(":")
        names = state.site.skus_by_id
        by_sku = Counter[str]()
        for e in losses:
            by_sku[e[4]] += e[1]
        skus = ", ".join(f"{n} × {names[k].name if k in names else k}" for k, n in by_sku.most_common(4))
        locs = ", ".join(sorted({e[5] for e in losses if e[5]})[:4])
        first, last = min(days), max(days)
        if kind == "user":
            person = state.site.people_by_id.get(name)
            subject = who(person) if person else name
            check = f"Count {locs or 'those locations'} and review {name}'s write-offs"
        else:
            subject = f"{names[name].name if name in names else name} ({name})"
            check = f"Count {locs or 'its locations'} and ask who wrote them off"
        summary = (
            f"{subject} {'wrote off' if kind == 'user' else 'was written off'} {net} items (€{value:,.0f}) in"
            f" {len(losses)} write-offs over {len(days)} days ({first:%a %d %b} – {last:%a %d %b}), each small:"
            f" {skus}; {locs}. {check}."
        )
        users = [name] if kind == "user" else [event.user]
        zones = sorted({zone_of(e[5]) for e in losses if e[5]})
        return self.alert(state, event.ts, p.high if value >= p.value_high else p.severity, summary,
                          [e[3] for e in losses], salt=key, people=users, zones=zones)


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
