"""Goods: where each EPC is expected, what happened to it, and when it was last read.

Per-EPC state is compact because a site tracks millions of tags: ``info`` maps
an EPC to ``(expected location or None, flags)`` and ``seen`` maps it to one
packed int (last read time in ms, shifted, plus the reader's zone index). Each
location keeps the set of EPCs expected there, so a count compares in
O(expected). Locations are zone ids, optionally refined by a bin
(``storage/A-12-3``); :func:`zone_of` gives the zone.

Memory is bounded by what is open. An EPC that leaves the site's books —
shipped, written off (a count found it missing and an ``adjust`` wrote it off:
"counted away"), or gone (stolen, destroyed, decommissioned) — keeps a
tombstone (its flags and last read) so a later read is still what the detectors
need to see: a shipped tag read again is not "never received" (STK-INV-005), not
an unexplained exit (STK-INV-001); a stolen tag resurfacing is STK-INV-005's
high alert. The tombstone lasts :data:`LEFT_KEEP_MS` (a week) after a shipment
or a write-off and :data:`GONE_KEEP_MS` (90 days) after a theft or destruction;
then the EPC is forgotten (a read of it later is a tag no transaction knows).
Goods received or found again before then are on the books again. Reads of EPCs
no transaction knows, and shipment and trailer records, are forgotten a week
after the last read or the shipment; a forgotten EPC's last read id goes with
it (the read-id table is also capped at :data:`RECENT_READ_IDS`). Sweeps run on event time (hourly; reads of
unknown EPCs daily), so the fold stays pure.

    >>> stock = StockState(site)                        # doctest: +SKIP
    >>> stock.expected("storage")                       # doctest: +SKIP
    {'urn:epc:id:sgtin:0614141.107346.2017', ...}
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import msgspec

from stockade.events import Stock, Tag
from stockade.site.config import SiteConfig

RECEIVED, PICKED, SHIPPED, GONE, WRITTEN_OFF, KNOWN = 1, 2, 4, 8, 16, 32
ZONE_BITS = 10
ZONE_MASK = (1 << ZONE_BITS) - 1
WRITE_OFF_REASONS = frozenset(
    {
        "damaged",
        "lost",
        "stolen",
        "destroyed",
        "decommissioned",
        "expired",
        "theft",
        "shrinkage",
        "missing",
        "scrap",
        "write_off",
        "writeoff",
    }
)
GONE_REASONS = frozenset({"stolen", "destroyed", "decommissioned", "theft"})
RECENT_READ_IDS = 200_000
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
LEFT_KEEP_MS = 7 * DAY_MS  # shipped or written off: a later read still matters for a week
GONE_KEEP_MS = 90 * DAY_MS  # stolen, destroyed, decommissioned: a resurfacing tag matters for a quarter


def zone_of(location: str) -> str:
    return location.split("/", 1)[0]


def sku_of(epc: str) -> str | None:
    """The GS1 company prefix and item reference of an SGTIN EPC URN, as the site file spells SKUs."""
    if epc.startswith("urn:epc:id:sgtin:"):
        parts = epc[17:].split(".")
        if len(parts) >= 2:
            return f"{parts[0]}.{parts[1]}"
    return None


class ShipRecord(NamedTuple):
    shipment: str | None
    seal: str | None
    trailer: str | None
    ts: datetime
    event: str


class CountRecord(NamedTuple):
    ts: datetime
    event: str
    found: int


def is_write_off(event: Stock) -> bool:
    if event.op != "adjust":
        return False
    if event.qty is not None:
        return event.qty < 0
    return (event.reason or "").lower() in WRITE_OFF_REASONS


class StockSnapshot(msgspec.Struct, frozen=True):
    info: dict[str, tuple[str | None, int]]
    seen: dict[str, int]
    at: dict[str, list[str]]
    shipments: dict[str, ShipRecord]
    trailers: dict[str, ShipRecord]
    last_count: dict[str, CountRecord]
    ids_new: dict[str, str]
    ids_old: dict[str, str]
    opening_declared: bool
    locations: list[str]  # every location ever placed at, in first-use order
    left: dict[str, int]  # tombstones: EPC -> when it was shipped or written off (ms), oldest first
    gone: dict[str, int]  # tombstones: EPC -> when it was stolen or destroyed (ms), oldest first
    next_sweep: int
    next_full_sweep: int


class StockState:
    def __init__(self, site: SiteConfig) -> None:
        self.zone_names: list[str] = ["", *(z.id for z in site.zones)]
        self.zone_index = {z: i for i, z in enumerate(self.zone_names) if z}
        self.reader_zone = {r.id: r.zone for r in site.readers}
        self.reader_zone_index = {r.id: self.zone_index.get(r.zone, 0) for r in site.readers}
        self.info: dict[str, tuple[str | None, int]] = {}
        self.seen: dict[str, int] = {}
        self.at: dict[str, set[str]] = {}
        self.zone_locs: dict[str, set[str]] = {}
        self.shipments: dict[str, ShipRecord] = {}
        self.trailers: dict[str, ShipRecord] = {}
        self.last_count: dict[str, CountRecord] = {}
        self._ids_new: dict[str, str] = {}  # event id of each EPC's last read, in two generations
        self._ids_old: dict[str, str] = {}
        self.opening_declared = False
        self._locs: dict[str, str] = {}
        self.left: dict[str, int] = {}
        self.gone: dict[str, int] = {}
        self._next_sweep = 0
        self._next_full_sweep = 0

    def save(self) -> StockSnapshot:
        return StockSnapshot(self.info, self.seen, {loc: list(epcs) for loc, epcs in self.at.items()},
                             self.shipments, self.trailers, self.last_count, self._ids_new, self._ids_old,
                             self.opening_declared, list(self._locs), self.left, self.gone,
                             self._next_sweep, self._next_full_sweep)

    def load(self, saved: StockSnapshot) -> None:
        self._locs = {}
        self.zone_locs = {}
        for location in saved.locations:
            self._locs[location] = location
            self.zone_locs.setdefault(zone_of(location), set()).add(location)
        locs = self._locs
        self.at = {locs.get(loc, loc): set(epcs) for loc, epcs in saved.at.items()}
        self.info = {epc: (None if loc is None else locs.get(loc, loc), flags)
                     for epc, (loc, flags) in saved.info.items()}
        self.seen, self.shipments, self.trailers = saved.seen, saved.shipments, saved.trailers
        self.last_count, self._ids_new, self._ids_old = saved.last_count, saved.ids_new, saved.ids_old
        self.opening_declared = saved.opening_declared
        self.left, self.gone = saved.left, saved.gone
        self._next_sweep, self._next_full_sweep = saved.next_sweep, saved.next_full_sweep

    # --- reading -------------------------------------------------------------

    def flags(self, epc: str) -> int:
        entry = self.info.get(epc)
        return 0 if entry is None else entry[1]

    def last_read(self, epc: str) -> tuple[int, str] | None:
        """(ms since epoch, zone) of the last read of ``epc``."""
        packed = self.seen.get(epc)
        if packed is None:
            return None
        return packed >> ZONE_BITS, self.zone_names[packed & ZONE_MASK]

    def read_id(self, epc: str) -> str:
        """The event id of the last read of ``epc``, while it is recent enough to be remembered."""
        return self._ids_new.get(epc) or self._ids_old.get(epc, "")

    def expected(self, location: str) -> set[str]:
        """EPCs expected at a location; a bare zone includes its bins."""
        if "/" in location:
            return set(self.at.get(location, ()))
        out: set[str] = set()
        for loc in self.zone_locs.get(location, ()):
            out |= self.at.get(loc, set())
        return out

    # --- folding -------------------------------------------------------------

    def _place(self, epc: str, location: str | None, flags: int) -> None:
        old = self.info.get(epc)
        if old is not None and old[0] is not None and old[0] != location:
            here = self.at.get(old[0])
            if here is not None:
                here.discard(epc)
        if location is not None:
            if old is not None and old[1] & (SHIPPED | WRITTEN_OFF):  # back on the books
                self.left.pop(epc, None)
                self.gone.pop(epc, None)
            loc = self._locs.get(location)
            if loc is None:
                loc = self._locs[location] = location
                self.zone_locs.setdefault(zone_of(location), set()).add(loc)
            self.at.setdefault(loc, set()).add(epc)
            location = loc
        self.info[epc] = (location, flags)

    def _depart(self, table: dict[str, int], epc: str, ms: int) -> None:
        table.pop(epc, None)  # to the end: the table stays in departure order
        table[epc] = ms

    def sweep(self, ms: int) -> None:
        """Forget what left the books long enough ago (see the module's rule); ``ms`` is event time."""
        self._next_sweep = ms + HOUR_MS
        info, seen, ids_new, ids_old = self.info, self.seen, self._ids_new, self._ids_old
        for table, keep in ((self.left, LEFT_KEEP_MS), (self.gone, GONE_KEEP_MS)):
            expired = _head_before(table, ms - keep)
            for epc in expired:
                del table[epc]
                entry = info.get(epc)
                if entry is not None and entry[0] is None:
                    del info[epc]
                    seen.pop(epc, None)
                    ids_new.pop(epc, None)
                    ids_old.pop(epc, None)
        limit = ms - LEFT_KEEP_MS
        for records in (self.shipments, self.trailers):
            old = []
            for key, rec in records.items():
                if rec.ts.timestamp() * 1000 > limit:
                    break
                old.append(key)
            for key in old:
                del records[key]
        if ms >= self._next_full_sweep:
            self._next_full_sweep = ms + DAY_MS
            stale = [epc for epc, packed in seen.items() if packed >> ZONE_BITS <= limit and epc not in info]
            for epc in stale:
                del seen[epc]
                ids_new.pop(epc, None)
                ids_old.pop(epc, None)

    def apply_tag(self, event: Tag, ms: int) -> None:
        if ms >= self._next_sweep:
            self.sweep(ms)
        epc = event.epc
        self.seen[epc] = (ms << ZONE_BITS) | self.reader_zone_index.get(event.reader, 0)
        ids = self._ids_new
        if len(ids) >= RECENT_READ_IDS // 2 and epc not in ids:
            self._ids_old = ids  # the older generation is dropped whole: O(1) per read, bounded memory
            ids = self._ids_new = {}
        ids[epc] = event.id

    def apply_stock(self, event: Stock) -> None:
        ms = int(event.ts.timestamp() * 1000)
        if ms >= self._next_sweep:
            self.sweep(ms)
        op = event.op
        epcs = event.epcs or ()
        info = self.info
        if op == "count":
            if event.to is not None:
                self.last_count[event.to] = CountRecord(event.ts, event.id, len(epcs))
            return
        if op == "receive":
            if event.reason == "opening_balance":
                self.opening_declared = True
            for epc in epcs:
                self._place(epc, event.to, RECEIVED | KNOWN)
            return
        for epc in epcs:
            loc, flags = info.get(epc, (None, 0))
            flags |= KNOWN
            if op in ("putaway", "move"):
                self._place(epc, event.to or loc, flags)
            elif op == "pick":
                self._place(epc, event.to, flags | PICKED)
            elif op == "ship":
                self._place(epc, None, (flags | SHIPPED) & ~PICKED | PICKED)
                self._depart(self.left, epc, ms)
            elif op == "adjust":
                reason = (event.reason or "").lower()
                if reason in GONE_REASONS or _disposition(event) in GONE_REASONS:
                    self._place(epc, None, flags | GONE | WRITTEN_OFF)
                    self.left.pop(epc, None)
                    self._depart(self.gone, epc, ms)
                elif is_write_off(event):
                    self._place(epc, None, flags | WRITTEN_OFF)
                    self._depart(self.left, epc, ms)
                else:  # found, correction upwards: expected here again
                    self._place(epc, event.from_ or event.to or loc, flags & ~WRITTEN_OFF)
        if op == "ship":
            rec = ShipRecord(event.shipment, event.seal, event.trailer, event.ts, event.id)
            if event.shipment is not None:
                self.shipments[event.shipment] = rec
            if event.trailer is not None:
                self.trailers[event.trailer] = rec


def _head_before(table: dict[str, int], limit: int) -> list[str]:
    """The keys at the head of a time-ordered table whose time is at or before ``limit``."""
    out = []
    for key, ms in table.items():
        if ms > limit:
            break
        out.append(key)
    return out


def _disposition(event: Stock) -> str:
    value = (event.attrs or {}).get("disposition")
    return value.lower().rsplit(":", 1)[-1] if isinstance(value, str) else ""
