"""Insider theft: after hours, covered up by a write-off, or a little at a time.

    >>> ATTACKS["insider_after_hours_theft"]      # doctest: +SKIP

- ``insider_after_hours_theft``: an employee badges in outside their shift,
  disarms the cage panel (variant ``no_disarm``: sets off its alarm), takes
  high-value goods and carries them out through the outbound dock's portal
  (variant ``lobby``: out the front, no portal read).
- ``record_cover_up``: a supervisor on shift takes goods from a zone, then
  writes them off (``adjust``, damaged or lost) as themself soon after.
- ``slow_shrinkage``: a worker pockets one to three items a shift over several
  days; only the cycle counts show the goods missing.
"""

from __future__ import annotations

from stockade.sim.attacks.base import HOUR, MINUTE, Attack, is_closed, off_shift
from stockade.sim.reads import fixed_reads, portal_reads
from stockade.sim.staff import shift_span
from stockade.sim.walk import Walker, door_pass
from stockade.sim.world import World
from stockade.site.config import Person


def _may(w: World, p: Person, zone: str) -> bool:
    return w.layout.allowed(p, zone) and p.shift is not None and p.kind == "employee" \
        and w.site.roles[p.role or ""].zones != "*"


class InsiderAfterHours(Attack):
    type = "insider_after_hours_theft"

    def plan(self, w: World) -> None:
        lay = w.layout
        zone = self.spec.zone or (lay.hv_zones[0] if lay.hv_zones else lay.storage)
        if zone is None:
            raise self.fail(w, "zone", "the site has no high-value or storage zone")
        self.zone: str = zone
        self.actor = self.person(w, lambda p: _may(w, p, self.zone), f"employee allowed in {self.zone}")
        self.start = self.when(w, hours=(0.5, 4.5), ok=lambda t: off_shift(w, self.actor, t - HOUR, 4 * HOUR))
        w.reserve(self.actor.id, self.start - HOUR, self.start + 3 * HOUR)
        n = self.spec.count or self.rng.randint(4, 30)
        self.take_t = self.start + 20 * MINUTE
        self.epcs = w.inventory.claim(self.zone, self.take_t, n, self.rng, high_value=True if lay.hv_zones else None)
        for e in self.epcs:
            w.inventory.leave(e, self.zone, self.take_t)
        self.variant = self.spec.variant or self.rng.choice(["dock", "dock", "lobby"])

    def emit(self, w: World) -> None:
        lay, a, rng = w.layout, self.actor, self.rng
        cred = a.credentials[0] if a.credentials else None
        with self.recording(w) as seen:
            wk = Walker(w, a, self.start, lay.entrance, rng)
            panel = lay.panel_of.get(self.zone)
            before = lay.path(a, lay.entrance, self.zone, closed=True) or []
            near = lay.entrance
            for d in before[:-1]:
                near = lay.other_side(d, near)
            wk.go(near)
            if panel is not None and is_closed(w, wk.t):
                wk.stay(self.ms(10, 40))
                kind = "alarm" if self.spec.variant == "no_disarm" else "disarm"
                w.em.sensor(wk.t, panel, self.zone, kind, user=a.id if kind == "disarm" else None)
            wk.go(self.zone)
            wk.t = max(wk.t, self.take_t - 8 * MINUTE)
            fixed_reads(w, rng, self.zone, self.epcs, wk.t)
            wk.t = max(wk.t + self.ms(120, 400), self.take_t)
            exit_zone = lay.dock_out if self.variant == "dock" else None
            yard_door = next((d.id for d in w.site.doors if exit_zone in d.zones
                              and lay.entrance in d.zones), None)
            if exit_zone and yard_door and wk.go(exit_zone):
                wk.t = portal_reads(w, rng, exit_zone, self.epcs, wk.t + self.ms(20, 60), "out", gap_ms=(150, 600))
                wk.t = door_pass(w, wk.t + 5000, yard_door, lay.entrance, [], rng) + 2000
                wk.finish()
            else:
                wk.go(lay.entrance)
                wk.finish()
            if panel is not None and self.spec.variant != "no_disarm" and is_closed(w, wk.t):
                w.em.sensor(wk.t + self.ms(30, 90), panel, self.zone, "arm", user=a.id)
        self.end = max(t for t, _ in seen)
        first = min(seen, key=lambda x: x[0])
        self.mark(first[0], first[1].id)
        self.ents.people = [a.id]
        self.ents.credentials = [cred] if cred else []
        self.ents.zones = [self.zone] + ([exit_zone] if exit_zone else [])
        self.ents.epcs = list(self.epcs)
        self.ents.doors = [str(getattr(e, "door", "")) for _, e in seen if e.kind == "access"]
        self.ents.devices = [panel] if panel else []
        self.summary = (f"{a.id} came in after hours, took {len(self.epcs)} items from {self.zone}, "
                        f"left via {self.variant}")


class RecordCoverUp(Attack):
    type = "record_cover_up"

    def plan(self, w: World) -> None:
        lay = w.layout
        self.zone = self.spec.zone or self.rng.choice(lay.hv_zones + ([lay.storage] if lay.storage else []))
        self.actor = self.person(w, lambda p: _may(w, p, self.zone) and "supervisor" in (p.role or ""),
                                 f"supervisor allowed in {self.zone}")
        spans = []
        for d in w.clock.days()[1:]:
            sp = shift_span(w, self.actor, d)
            if sp and sp[1] < w.clock.duration_ms - HOUR:
                spans.append(sp)
        if self.spec.at is not None or self.spec.day is not None:
            self.start = self.when(w, hours=(8, 12))
            sp0 = next((sp for sp in spans if sp[0] - HOUR <= self.start < sp[1]), None)
            self.shift = sp0 or (self.start - 2 * HOUR, self.start + 4 * HOUR)
        elif spans:
            self.shift = self.rng.choice(spans)
            length = self.shift[1] - self.shift[0]
            self.start = self.shift[0] + self.rng.randrange(HOUR, max(length - 3 * HOUR, HOUR + 1))
        else:
            raise self.fail(w, "actor", f"{self.actor.id} has no shift inside the run")
        if self.zone in lay.panel_of and is_closed(w, self.start):
            self.zone = lay.storage or self.zone
        w.reserve(self.actor.id, self.shift[0] - HOUR, self.shift[1] + HOUR)
        n = self.spec.count or self.rng.randint(2, 12)
        self.take_t = self.start + 3 * MINUTE
        self.epcs = w.inventory.claim(self.zone, self.take_t, n, self.rng)
        for e in self.epcs:
            w.inventory.leave(e, self.zone, self.take_t)

    def emit(self, w: World) -> None:
        lay, a, rng = w.layout, self.actor, self.rng
        wk = Walker(w, a, self.shift[0] - 15 * MINUTE, lay.entrance, rng)
        wk.go(lay.home(a))
        wk.t = max(wk.t, self.start - 2 * MINUTE)
        wk.go(self.zone)
        wk.stay(self.ms(180, 600))
        wk.go(lay.home(a))
        t = wk.t + self.ms(600, 2400)
        reason = self.spec.variant or rng.choice(["damaged", "lost", "damaged"])
        loc = w.inventory.location(self.epcs[0], self.zone) if self.epcs else self.zone
        ev = w.em.stock(t, "adjust", **{"from": loc}, epcs=self.epcs, qty=-len(self.epcs), reason=reason,
                        user=a.id, sku=w.inventory.sku_of(self.epcs[0]) if self.epcs else None)
        self.mark(t, ev)
        self.end = t
        wk.t = max(t, self.shift[1]) + self.ms(60, 600)
        wk.go(lay.entrance)
        wk.finish()
        w.busy.setdefault(a.id, []).append((self.shift[0], wk.t))
        self.ents.people = [a.id]
        self.ents.credentials = a.credentials[:1]
        self.ents.zones = [self.zone]
        self.ents.epcs = list(self.epcs)
        self.summary = f"{a.id} took {len(self.epcs)} items from {self.zone} and wrote them off as {reason}"


class SlowShrinkage(Attack):
    type = "slow_shrinkage"

    def plan(self, w: World) -> None:
        lay = w.layout
        zone = self.spec.zone or lay.storage
        if zone is None:
            raise self.fail(w, "zone", "the site has no storage zone")
        self.zone: str = zone
        self.actor = self.person(w, lambda p: _may(w, p, self.zone), f"worker allowed in {self.zone}")
        days = w.clock.days()
        first = 0
        if self.spec.at is not None or self.spec.day is not None:
            first = max(0, (self.when(w, hours=(8, 12)) // 86_400_000))
        n_days = self.spec.count or self.rng.randint(3, 5)
        self.thefts: list[tuple[int, list[str]]] = []
        self.bins: dict[str, str] = {}  # stolen EPC -> the bin it was taken from
        for d in days[first:]:
            sp = shift_span(w, self.actor, d)
            if sp is None or sp[1] > w.clock.duration_ms - 30 * HOUR or len(self.thefts) >= n_days:
                continue
            t = sp[0] + self.rng.randrange(HOUR, 6 * HOUR)
            epcs = w.inventory.claim(self.zone, t, self.rng.randint(1, 3), self.rng, high_value=False)
            for e in epcs:
                self.bins[e] = w.inventory.location(e, self.zone)
                w.inventory.leave(e, self.zone, t)
            if epcs:
                self.thefts.append((t, epcs))
        if not self.thefts:
            raise self.fail(w, "actor", f"{self.actor.id} works no shift early enough for a count to follow")
        self.start = self.thefts[0][0]

    def emit(self, w: World) -> None:
        """Nothing to see when it happens: the worker's honest day goes on."""

    def finish(self, w: World) -> None:
        stolen = {e for _, es in self.thefts for e in es}
        last = self.thefts[-1][0]
        taken_from = set(self.bins.values())
        for t, location, ev, found in w.counts:
            if location in taken_from and t > self.start and stolen - found:
                self.mark(t, ev)
                if t > last:
                    self.end = t
                    break
        self.ents.people = [self.actor.id]
        self.ents.credentials = self.actor.credentials[:1]
        self.ents.zones = [self.zone]
        self.ents.epcs = sorted(stolen)
        self.summary = f"{self.actor.id} pocketed {len(stolen)} items from {self.zone} over {len(self.thefts)} shifts"
