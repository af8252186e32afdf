"""STK-INV-003: stock write-offs out of line with the user's baseline, or made by someone who was just there.

A write-off is an ``adjust`` with negative ``qty`` (or a write-off reason).
Three signals, strongest first:

* cover-up (high): EPCs written off were last read leaving through an exit
  with no pick or shipment — the goods left, and the record is being made to
  agree;
* presence (medium): the user is in that location's zone or badged into it
  within ``recent_s`` — they were just where the goods went missing;
* baseline (medium): the user's write-offs in the last ``window_s`` exceed
  ``factor`` × their own running average per window (learned online, with a
  site-wide prior for new users), and at least ``min_count``.

A recount is not a theft: a write-off at a location the same user counted in
the ``recount_s`` before is a correction made in a counting sitting (a full
inventory recount makes dozens). Presence and baseline say nothing then (the
counter stands there by definition) and the correction does not feed the
baseline; the cover-up signal still applies, and STK-INV-007 still adds the
corrections up, net of what the recount found.

    emp-1033 wrote off 6 × Tablet 11 (€7,944, reason lost) at hv-cage 25 min after badging into hv-cage
      at 23:48, outside their late shift
"""

from __future__ import annotations

from collections import deque

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, who
from stockade.engine.state import SiteState
from stockade.engine.state.people import Position
from stockade.engine.state.stock import PICKED, SHIPPED, is_write_off, sku_of, zone_of
from stockade.events import Alert, Envelope, Stock
from stockade.events.model import Severity


class SuspiciousWriteOffParams(Params, frozen=True):
    recent_s: float = 7200
    exit_read_s: float = 172800
    window_s: float = 86400
    factor: float = 3.0
    min_count: int = 4
    prior_per_window: float = 1.0
    recount_s: float = 1800
    cover_up: Severity = "high"
    presence: Severity = "medium"
    baseline: Severity = "medium"


class SuspiciousWriteOffMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    recent: dict[str, list[tuple[int, int, str]]]
    total: dict[str, int]
    since: dict[str, int]
    counted: dict[str, tuple[int, str]] = msgspec.field(default_factory=dict)


class SuspiciousWriteOff(DetectorBase[SuspiciousWriteOffParams]):
    id = "STK-INV-003"
    kinds = frozenset({"stock"})
    params_type = SuspiciousWriteOffParams
    memory_type = SuspiciousWriteOffMemory

    def setup(self) -> None:
        self._recent: dict[str, deque[tuple[int, int, str]]] = {}  # user -> (ms, items, event id)
        self._total: dict[str, int] = {}  # user -> items written off since first seen
        self._since: dict[str, int] = {}  # user -> ms of their first write-off
        self._counted: dict[str, tuple[int, str]] = {}  # location -> (ms, user) of its last count with a user

    def save_memory(self) -> SuspiciousWriteOffMemory:
        return SuspiciousWriteOffMemory({u: list(r) for u, r in self._recent.items()}, self._total, self._since,
                                        self._counted)

    def load_memory(self, memory: msgspec.Struct) -> None:
        if not isinstance(memory, SuspiciousWriteOffMemory):  # the snapshot decoded it as memory_type
            raise TypeError(f"{type(self).__name__} cannot load a {type(memory).__name__}")
        self._recent = {u: deque(r) for u, r in memory.recent.items()}
        self._total, self._since, self._counted = memory.total, memory.since, memory.counted

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Stock):
            return []
        if event.op == "count" and event.user and event.to:
            self._note_count(state, event.to, event.user)
            return []
        if not is_write_off(event):
            return []
        p = self.params
        user = event.user or "unknown user"
        loc = event.from_ or event.to or ""
        counted = self._counted.get(loc)
        recount = counted is not None and counted[1] == user and state.ms - counted[0] <= p.recount_s * 1000
        zone = zone_of(loc) if loc else ""
        epcs = event.epcs or []
        items = len(epcs) or abs(event.qty or 1)
        skus = state.site.skus_by_id
        value = sum(s.value for e in epcs if (s := skus.get(sku_of(e) or "")) is not None)
        if not epcs and event.sku and (s := skus.get(event.sku)) is not None:
            value = s.value * items
        person = state.people.person_of(event.user) if event.user else None
        baseline = None if recount else self._baseline(state, user, items, event.id)
        left = self._left_via_exit(state, epcs)
        pos = self._presence(state, person.id, zone) if person and zone and not recount else None
        off_shift = person is not None and not state.people.covered(person, event.ts)
        what = (
            f"{items} item(s) (€{value:,.0f}, reason {event.reason or 'none'}) at {loc or 'an unknown place'}"
        )
        name = who(person) if person else user
        evidence = [event.id]
        if left:
            severity = p.cover_up
            ids = [state.stock.read_id(e) for e in left]
            evidence = [*ids, event.id]
            why = (
                f"{len(left)} of them were read leaving through an exit with no pick or shipment:"
                " the record is being made to match goods that left"
            )
        elif pos is not None:
            severity = p.presence
            evidence = [pos.event, event.id]
            why = (
                f"{name} badged into {zone} at {clock(state, pos.ts)}"
                f"{' outside their shift' if off_shift else ''} just before"
            )
        elif baseline is not None:
            severity = p.baseline
            n, expect, ids = baseline
            evidence = [*ids, event.id]
            hours = p.window_s / 3600
            why = f"that makes {n} items in {hours:.0f} h, against about {expect:.1f} usual for them"
        else:
            return []
        summary = (
            f"{name} wrote off {what} at {clock(state, event.ts)}; {why}. Recount and review the cameras."
        )
        return [
            self.alert(
                state,
                event.ts,
                severity,
                summary,
                evidence,
                people=[person.id if person else user],
                zones=[zone],
                epcs=epcs[:200],
            )
        ]

    def _note_count(self, state: SiteState, location: str, user: str) -> None:
        cutoff = state.ms - int(self.params.recount_s * 1000)
        if len(self._counted) > 4096:
            self._counted = {k: v for k, v in self._counted.items() if v[0] >= cutoff}
        self._counted[location] = (state.ms, user)

    def _presence(self, state: SiteState, person_id: str, zone: str) -> Position | None:
        """The entry that put the person in ``zone``, if they are there now or entered it lately."""
        people = state.people
        here = people.where.get(person_id)
        if here is not None and here.zone == zone:
            return here
        visit = people.visits.get(person_id, {}).get(zone)
        if visit is not None and state.ms - visit.ts.timestamp() * 1000 <= self.params.recent_s * 1000:
            return visit
        return None

    def _left_via_exit(self, state: SiteState, epcs: list[str]) -> list[str]:
        stock = state.stock
        window = int(self.params.exit_read_s * 1000)
        out = []
        for epc in epcs:
            last = stock.last_read(epc)
            if last is None or last[1] not in state.exit_zones or state.ms - last[0] > window:
                continue
            if stock.flags(epc) & (PICKED | SHIPPED):
                continue
            out.append(epc)
        return out

    def _baseline(
        self, state: SiteState, user: str, items: int, event_id: str
    ) -> tuple[int, float, list[str]] | None:
        """Update the user's write-off history; return (items in window, usual, ids) when out of line."""
        p = self.params
        now = state.ms
        window = int(p.window_s * 1000)
        ring = self._recent.setdefault(user, deque())
        ring.append((now, items, event_id))
        while ring and ring[0][0] < now - window:
            ring.popleft()
        since = self._since.setdefault(user, now)
        before = self._total.get(user, 0)
        self._total[user] = before + items
        windows = max(1.0, (now - since) / window)
        usual = (before + p.prior_per_window) / windows if before else p.prior_per_window
        n = sum(r[1] for r in ring)
        if n >= p.min_count and n > p.factor * usual:
            return n, usual, [r[2] for r in ring]
        return None
