"""Reconciliation of the physical and the digital, pure over a site's stock and tag events.

    >>> rec = Reconciler(site)                                   # doctest: +SKIP
    >>> for event in events: rec.apply(event)                     # doctest: +SKIP
    >>> result = rec.finish()                                     # doctest: +SKIP
    >>> result.zones[0].expected, result.zones[0].seen            # doctest: +SKIP
    (1200, 1187)

What the WMS expects comes from ``stock`` transactions (receive, putaway, move, pick, ship, adjust);
what was last seen from ``tag`` reads (the reader's zone) and ``count`` events (the EPCs found).
Locations are compared at zone level. For each EPC:

* **expected at Z** (on hand after its last transaction) and **seen at Z** since then: it matches;
* expected at Z, **seen elsewhere** since its last transaction: a difference at both zones —
  ``in_transit`` when the last transaction was a move or putaway less than ``transit_s`` before the
  read, else unexplained;
* expected at Z, **not found** by a count of Z made after its last transaction and not read since: a
  missing item, unexplained (unknown shrinkage);
* expected at Z and neither read nor counted since its last transaction: **unverified** — nothing can
  be said, it is not a difference;
* **seen** but not on hand: explained as ``picked``, ``shipped`` or ``written_off`` by its status,
  unexplained when the WMS never received it.

Inventory record accuracy (the WMS KPI): per zone, the share of (zone, SKU) records whose expected and
seen quantities agree, over the verified items; over time, the same share for each cycle count (the
found EPCs against what was expected at the counted location then), per ISO week. Shrinkage: the
write-offs (``adjust`` with a negative quantity or a write-off reason) plus the unexplained missing
items, by zone, SKU, value and week.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from stockade.events import Envelope, Stock, Tag
from stockade.inventory.reconciliation import Difference, Line, Reconciliation, Shrink
from stockade.site import SiteConfig

ON_HAND, PICKED, SHIPPED, WRITTEN_OFF = 0, 1, 2, 3
STATUS = ("on_hand", "picked", "shipped", "written_off")
WRITE_OFF_REASONS = frozenset({"damaged", "lost", "stolen", "destroyed", "decommissioned", "expired", "theft",
                               "shrinkage", "missing", "scrap", "write_off", "writeoff"})
MAX_ITEMS = 1_000  # itemised differences kept in the result; the counts are always complete


def zone_of(location: str) -> str:
    return location.split("/", 1)[0]


def sku_of(epc: str) -> str:
    if epc.startswith("urn:epc:id:sgtin:"):
        parts = epc[17:].split(".")
        if len(parts) >= 2:
            return f"{parts[0]}.{parts[1]}"
    return "unknown"


class Reconciler:
    """A fold over stock and tag events in log order; :meth:`finish` gives the reconciliation."""

    def __init__(self, site: SiteConfig, *, transit_s: float = 3600.0) -> None:
        self.site = site
        self.tz = site.tz
        self.transit_ms = int(transit_s * 1000)
        self.zones: list[str] = [z.id for z in site.zones]
        self.zone_index = {z: i for i, z in enumerate(self.zones)}
        self.reader_zone = {r.id: self.zone_index[r.zone] for r in site.readers}
        self.values = {s.sku: s.value for s in site.skus}
        # per EPC: (zone index or -1, status, last transaction ms, transaction was a move)
        self.state: dict[str, tuple[int, int, int, bool]] = {}
        self.seen: dict[str, int] = {}  # EPC -> (ms << 12) | zone index
        self.at_zone: dict[int, set[str]] = defaultdict(set)
        self.last_count: dict[int, tuple[int, frozenset[str]]] = {}
        self.count_records: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self.write_offs: list[tuple[str, str, int, float, str, str]] = []  # zone, sku, items, value, week, reason
        self.last_ms = 0

    def _zone(self, location: str | None) -> int:
        if location is None:
            return -1
        zone = zone_of(location)
        index = self.zone_index.get(zone)
        if index is None:
            index = len(self.zones)
            self.zones.append(zone)
            self.zone_index[zone] = index
        return index

    def week(self, ms: int) -> str:
        year, week, _ = datetime.fromtimestamp(ms / 1000, self.tz).isocalendar()
        return f"{year}-W{week:02d}"

    def _value(self, sku: str) -> float:
        return self.values.get(sku, 0.0)

    def _place(self, epc: str, zone: int, status: int, ms: int, moved: bool) -> None:
        old = self.state.get(epc)
        if old is not None and old[0] >= 0 and old[1] == ON_HAND:
            self.at_zone[old[0]].discard(epc)
        self.state[epc] = (zone, status, ms, moved)
        if zone >= 0 and status == ON_HAND:
            self.at_zone[zone].add(epc)

    def tag(self, reader: str, epc: str, ms: int) -> None:
        """One read (the fast path the bench and :meth:`apply` use)."""
        zone = self.reader_zone.get(reader)
        if zone is not None:
            self.seen[epc] = (ms << 12) | zone

    def apply(self, event: Envelope) -> None:
        ms = int(event.ts.timestamp() * 1000)
        self.last_ms = max(self.last_ms, ms)
        if isinstance(event, Tag):
            self.tag(event.reader, event.epc, ms)
        elif isinstance(event, Stock):
            self.stock(event, ms)

    def stock(self, event: Stock, ms: int) -> None:  # one branch per operation
        op, epcs = event.op, event.epcs or ()
        if op == "count":
            zone = self._zone(event.to)
            if zone < 0:
                return
            found = frozenset(epcs)
            for epc in epcs:
                self.seen[epc] = (ms << 12) | zone
            expected = self.at_zone.get(zone, set())
            by_sku: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for epc in expected:
                by_sku[sku_of(epc)][0] += 1
            for epc in found:
                by_sku[sku_of(epc)][1] += 1
            record = self.count_records[self.week(ms)]
            name = self.zones[zone]
            for exp, got in by_sku.values():
                record[name][0] += 1
                record[name][1] += exp == got
            self.last_count[zone] = (ms, found)
            return
        reason = (event.reason or "").lower()
        if op == "adjust":
            write_off = (event.qty is not None and event.qty < 0) or reason in WRITE_OFF_REASONS
            zone_name = zone_of(event.from_) if event.from_ else "unknown"
            if write_off and not epcs and event.sku:
                items = abs(event.qty or 0)
                self.write_offs.append((zone_name, event.sku, items, items * self._value(event.sku),
                                        self.week(ms), reason or "write_off"))
            for epc in epcs:
                old = self.state.get(epc)
                if write_off:
                    zone_name = zone_of(event.from_) if event.from_ else (
                        self.zones[old[0]] if old and old[0] >= 0 else "unknown")
                    sku = sku_of(epc)
                    self.write_offs.append((zone_name, sku, 1, self._value(sku), self.week(ms), reason or "write_off"))
                    self._place(epc, -1, WRITTEN_OFF, ms, False)
                else:
                    self._place(epc, self._zone(event.from_ or event.to), ON_HAND, ms, False)
            return
        for epc in epcs:
            if op in ("receive", "putaway", "move"):
                old = self.state.get(epc)
                zone = self._zone(event.to) if event.to else (old[0] if old else -1)
                self._place(epc, zone, ON_HAND, ms, op != "receive")
            elif op == "pick":
                self._place(epc, self._zone(event.to) if event.to else -1, PICKED, ms, True)
            elif op == "ship":
                self._place(epc, -1, SHIPPED, ms, False)

    def finish(self, as_of: datetime | None = None) -> Reconciliation:  # the rules above, in order
        zones: dict[str, Line] = {}
        skus: dict[str, Line] = {}
        records: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        diffs: list[Difference] = []
        counts: Counter[str] = Counter()
        missing_weeks: list[tuple[str, str, float, str]] = []
        names = self.zones

        def line(table: dict[str, Line], key: str) -> Line:
            found = table.get(key)
            if found is None:
                found = table[key] = Line(key)
            return found

        def differ(d: Difference) -> None:
            counts[f"{d.kind}:{d.explained or 'unexplained'}"] += 1
            for ln in (line(zones, d.zone), line(skus, d.sku)):
                if d.explained:
                    ln.explained += 1
                else:
                    ln.unexplained += 1
            if len(diffs) < MAX_ITEMS:
                diffs.append(d)

        for epc, (zone, status, tx_ms, moved) in self.state.items():
            sku = sku_of(epc)
            value = self._value(sku)
            packed = self.seen.get(epc)
            seen_ms, seen_zone = (packed >> 12, packed & 0xFFF) if packed is not None else (-1, -1)
            fresh = seen_ms >= tx_ms
            if status == ON_HAND and zone >= 0:
                zname = names[zone]
                z, s = line(zones, zname), line(skus, sku)
                rec = records[(zname, sku)]
                if fresh and seen_zone == zone:
                    for ln in (z, s):
                        ln.expected += 1
                        ln.seen += 1
                        ln.expected_value += value
                        ln.seen_value += value
                    rec[0] += 1
                    rec[1] += 1
                    continue
                counted = self.last_count.get(zone)
                if fresh:  # seen elsewhere since its last transaction
                    explained = "in_transit" if moved and seen_ms - tx_ms <= self.transit_ms else None
                    for ln in (z, s):
                        ln.expected += 1
                        ln.expected_value += value
                    other = line(zones, names[seen_zone])
                    other.seen += 1
                    other.seen_value += value
                    s.seen += 1
                    s.seen_value += value
                    rec[0] += 1
                    records[(names[seen_zone], sku)][1] += 1
                    differ(Difference(epc, sku, zname, "misplaced", explained, zname, names[seen_zone], value))
                elif counted is not None and counted[0] >= tx_ms and epc not in counted[1]:
                    for ln in (z, s):
                        ln.expected += 1
                        ln.expected_value += value
                    rec[0] += 1
                    missing_weeks.append((zname, sku, value, self.week(counted[0])))
                    differ(Difference(epc, sku, zname, "missing", None, zname, None, value))
                else:
                    z.unverified += 1
                    s.unverified += 1
                continue
            if packed is None or not fresh:
                continue
            sname = names[seen_zone]
            explained = {PICKED: "picked", SHIPPED: "shipped", WRITTEN_OFF: "written_off"}.get(status)
            for ln in (line(zones, sname), line(skus, sku)):
                ln.seen += 1
                ln.seen_value += value
            records[(sname, sku)][1] += 1
            differ(Difference(epc, sku, sname, "unexpected", explained, None, sname, value))
        for epc, packed in self.seen.items():
            if epc in self.state:
                continue
            sku, sname = sku_of(epc), names[packed & 0xFFF]
            for ln in (line(zones, sname), line(skus, sku)):
                ln.seen += 1
                ln.seen_value += self._value(sku)
            records[(sname, sku)][1] += 1
            differ(Difference(epc, sku, sname, "unexpected", None, None, sname, self._value(sku)))
        return self._result(as_of, zones, skus, records, diffs, counts, missing_weeks)

    def _result(self, as_of: datetime | None, zones: dict[str, Line], skus: dict[str, Line],
                records: dict[tuple[str, str], list[int]], diffs: list[Difference], counts: Counter[str],
                missing: list[tuple[str, str, float, str]]) -> Reconciliation:
        per_zone: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (zone, _), (exp, got) in records.items():
            per_zone[zone][0] += 1
            per_zone[zone][1] += exp == got
        accuracy: dict[str, float | None] = dict.fromkeys(zones)
        accuracy |= {z: round(ok / n, 4) for z, (n, ok) in per_zone.items() if n}
        by_week = {week: {z: round(ok / n, 4) for z, (n, ok) in sorted(rec.items()) if n}
                   for week, rec in sorted(self.count_records.items())}
        shrink: dict[str, dict[str, Shrink]] = {k: {} for k in ("zone", "sku", "week", "reason")}
        rows = [(z, s, n, v, w, r) for z, s, n, v, w, r in self.write_offs]
        rows += [(z, s, 1, v, w, "unexplained_missing") for z, s, v, w in missing]
        for zone, sku, items, value, week, reason in rows:
            for kind, key in (("zone", zone), ("sku", sku), ("week", week), ("reason", reason)):
                entry = shrink[kind].setdefault(key, Shrink(key))
                entry.items += items
                entry.value += value

        def ordered(kind: str) -> list[Shrink]:
            values = shrink[kind].values()
            if kind == "week":
                return sorted(values, key=lambda x: x.key)
            return sorted(values, key=lambda x: (-x.value, -x.items, x.key))

        totals: dict[str, float] = {
            "expected": sum(z.expected for z in zones.values()), "seen": sum(z.seen for z in zones.values()),
            "unverified": sum(z.unverified for z in zones.values()),
            "explained": sum(z.explained for z in zones.values()),
            "unexplained": sum(z.unexplained for z in zones.values()),
            "expected_value": round(sum(z.expected_value for z in zones.values()), 2),
            "seen_value": round(sum(z.seen_value for z in zones.values()), 2),
            "shrinkage_items": sum(r[2] for r in rows), "shrinkage_value": round(sum(r[3] for r in rows), 2),
        }
        when = as_of or (datetime.fromtimestamp(self.last_ms / 1000, self.tz) if self.last_ms else None)
        return Reconciliation(
            self.site.site, when, sorted(zones.values(), key=lambda x: x.key),
            sorted(skus.values(), key=lambda x: x.key), diffs, dict(sorted(counts.items())), accuracy, by_week,
            ordered("zone"), ordered("sku"), ordered("week"), ordered("reason"), totals)


def reconcile(site: SiteConfig, events: Iterable[Envelope], *, since: datetime | None = None,
              until: datetime | None = None, transit: timedelta = timedelta(hours=1)) -> Reconciliation:
    """Reconcile an iterable of events (other kinds are skipped), those before ``until``."""
    rec = Reconciler(site, transit_s=transit.total_seconds())
    for event in events:
        if not isinstance(event, Stock | Tag):
            continue
        if until is not None and event.ts >= until:
            continue
        rec.apply(event)
    result = rec.finish(until)
    if since is not None:
        cut = f"{since.astimezone(site.tz).isocalendar()[0]}-W{since.astimezone(site.tz).isocalendar()[1]:02d}"
        result.shrinkage_by_week = [s for s in result.shrinkage_by_week if s.key >= cut]
        result.accuracy_by_week = {w: a for w, a in result.accuracy_by_week.items() if w >= cut}
    return result
