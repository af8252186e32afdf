"""The novel tier: attacks outside the catalogue's types, written by an adversary who read docs/threats.md.

    >>> ATTACKS["phantom_record"]     # doctest: +SKIP

Each one knows what the catalogue watches and goes around it:

- ``phantom_record``: goods are taken quietly, then the WMS is told they were
  shipped (variant ``ship``: a shipment no truck, read or appointment backs)
  or stock that never came is received (``receive``: to be written off later).
- ``split_theft``: a supervisor writes off one to three items a day, never
  four in a day, never where they were just standing: each write-off alone is
  below every single threshold.
- ``borrowed_badge``: an accomplice uses a colleague's badge (lent or cloned)
  into the high-value cage while the holder works one door away: never far
  enough, fast enough for "impossible travel".
- ``maintenance_cover``: an announced change in the change window takes the
  outbound dock's cameras down, as planned; goods leave through the dock while
  they are down.
- ``guard_collusion``: the night guard disarms the cage with their own code
  while on duty (a patrol, to the catalogue) and carries goods out through the
  outbound dock.
"""

from __future__ import annotations

from stockade.sim.attacks.base import HOUR, MINUTE, Attack, is_closed, is_open
from stockade.sim.lookalikes import change_source
from stockade.sim.reads import fixed_reads, portal_reads
from stockade.sim.staff import shift_span
from stockade.sim.walk import Passer, Walker, door_pass
from stockade.sim.world import World
from stockade.site import Topology, calendar


def _exit_door(w: World) -> str | None:
    lay = w.layout
    return next((d.id for d in w.site.doors if lay.dock_out in d.zones and lay.entrance in d.zones), None)


def _take(w: World, atk: Attack, zone: str, t: int, epcs: list[str]) -> None:
    """The goods leave the record's reality at ``t``; remember their bins for the counts that will miss them."""
    bins: dict[str, str] = getattr(atk, "bins", {})
    for e in epcs:
        bins[e] = w.inventory.location(e, zone)
        w.inventory.leave(e, zone, t)
    atk.bins = bins  # type: ignore[attr-defined]  # an attribute of the attacks that take goods


def _until_counted(w: World, atk: Attack) -> None:
    """The attack lasts until the first count that misses what it took: that count is part of it."""
    bins: dict[str, str] = getattr(atk, "bins", {})
    stolen, where = set(bins), set(bins.values())
    for t, location, _, found in w.counts:
        if t > atk.end and location in where and stolen - found:
            atk.end = t
            return


class PhantomRecord(Attack):
    type = "phantom_record"

    def plan(self, w: World) -> None:
        lay = w.layout
        if lay.dock_out is None or lay.storage is None:
            raise self.fail(w, "zone", "phantom_record needs a storage zone and an exit dock")
        self.variant = self.spec.variant or self.rng.choice(["ship", "ship", "receive"])
        self.actor = self.person(w, lambda p: "supervisor" in (p.role or ""), "supervisor")
        self.start = self.when(w, hours=(0.5, 4.5), ok=lambda t: is_closed(w, t) or w.site.hours is None)
        n = self.spec.count or self.rng.randint(8, 40)
        self.epcs: list[str] = []
        if self.variant == "ship":
            self.epcs = w.inventory.claim(lay.storage, self.start - 6 * HOUR, n, self.rng, high_value=False)
            for e in self.epcs:
                w.inventory.leave(e, lay.storage, self.start - 6 * HOUR)
        else:
            skus = [s.sku for s in w.site.skus if s.high_value] or [s.sku for s in w.site.skus]
            self.epcs = w.inventory.new_epcs(self.rng.choice(skus), n)
        self.shipment = f"sh-x{self.rng.randrange(10_000, 99_999)}"

    def emit(self, w: World) -> None:
        lay = w.layout
        if self.variant == "ship":
            ev = w.em.stock(self.start, "ship", **{"from": lay.dock_out}, epcs=self.epcs, shipment=self.shipment,
                            user=self.actor.id, source="wms")
            zone = lay.dock_out
        else:
            zone = lay.dock_in or lay.dock_out
            ev = w.em.stock(self.start, "receive", to=zone, epcs=self.epcs, shipment=self.shipment,
                            user=self.actor.id, source="wms")
        self.mark(self.start, ev)
        self.end = self.start
        self.ents.people = [self.actor.id]
        self.ents.zones = [zone or ""]
        self.ents.epcs = list(self.epcs)
        self.ents.shipments = [self.shipment]
        self.summary = f"{self.actor.id} recorded a {self.variant} of {len(self.epcs)} items nothing physical backs"


class SplitTheft(Attack):
    type = "split_theft"

    def plan(self, w: World) -> None:
        lay = w.layout
        zone = self.spec.zone or lay.storage
        if zone is None:
            raise self.fail(w, "zone", "the site has no storage zone")
        self.zone: str = zone
        self.actor = self.person(w, lambda p: "supervisor" in (p.role or "") and p.shift is not None
                                 and w.layout.allowed(p, zone), f"supervisor allowed in {zone}")
        total = self.spec.count or self.rng.randint(7, 14)
        self.days: list[tuple[int, int]] = []
        for d in w.clock.days()[1:]:
            sp = shift_span(w, self.actor, d)
            if sp is not None and sp[1] < w.clock.duration_ms - HOUR:
                self.days.append(sp)
        if len(self.days) < 3:
            raise self.fail(w, "actor", f"{self.actor.id} works fewer than 3 shifts inside the run")
        self.plan_items: list[int] = []
        while sum(self.plan_items) < total and len(self.plan_items) < len(self.days):
            self.plan_items.append(self.rng.randint(1, 3))
        self.days = self.days[:len(self.plan_items)]
        self.start = self.days[0][0]
        self.done: list[tuple[int, str, list[str]]] = []

    def emit_from(self) -> int:
        return self.days[0][0] - 2 * HOUR

    def emit(self, w: World) -> None:
        """Runs once, on the first day; later days' write-offs are placed at their own times."""
        for (s, e), k in zip(self.days, self.plan_items, strict=True):
            t = s + self.rng.randrange(2 * HOUR, max(e - s - HOUR, 2 * HOUR + 1))
            if w.was_in(self.actor.id, self.zone, t - 2 * HOUR, t + 10 * MINUTE):
                t = e - 20 * MINUTE
            epcs = w.inventory.claim(self.zone, t - 30 * MINUTE, k, self.rng, high_value=False)
            if not epcs:
                continue
            loc = w.inventory.location(epcs[0], self.zone)
            for x in epcs:
                w.inventory.leave(x, self.zone, t - 30 * MINUTE)
            ev = w.em.stock(t, "adjust", **{"from": loc}, epcs=epcs, qty=-len(epcs),
                            reason=self.rng.choice(["damaged", "damaged", "lost"]), user=self.actor.id,
                            sku=w.inventory.sku_of(epcs[0]))
            self.done.append((t, ev, epcs))
        if not self.done:
            raise self.fail(w, "zone", f"nothing to take from {self.zone}")
        self.mark(self.done[0][0], self.done[0][1])
        self.end = self.done[-1][0]
        self.ents.people = [self.actor.id]
        self.ents.zones = [self.zone]
        self.ents.epcs = [x for _, _, es in self.done for x in es]
        n = len(self.ents.epcs)
        self.summary = f"{self.actor.id} wrote off {n} items in {len(self.done)} small write-offs over days"


class BorrowedBadge(Attack):
    type = "borrowed_badge"

    def plan(self, w: World) -> None:
        lay = w.layout
        if not lay.hv_zones or lay.storage is None:
            raise self.fail(w, "zone", "borrowed_badge needs a high-value zone and a storage zone")
        self.zone = self.spec.zone or lay.hv_zones[0]
        hv = self.zone

        def holder_ok(p: object) -> bool:
            from stockade.site.config import Person
            return isinstance(p, Person) and p.kind == "employee" and p.shift is not None \
                and lay.allowed(p, hv) and w.site.roles[p.role or ""].zones != "*" and bool(p.credentials)

        self.holder = self.person(w, holder_ok, f"employee allowed in {hv}")
        others = [p for p in w.site.people if p.kind == "employee" and p.shift is not None and p.credentials
                  and not lay.allowed(p, hv) and lay.allowed(p, lay.storage) and p.id != self.holder.id]
        if self.spec.accomplice is not None:
            self.accomplice = w.site.people_by_id[self.spec.accomplice]
        elif others:
            self.accomplice = self.rng.choice(others)
        else:
            raise self.fail(w, "accomplice", "no employee without high-value access to borrow the badge")
        self.start = self.when(w, hours=(9, 15), ok=lambda t: is_open(w, t))
        w.reserve(self.holder.id, self.start - 3 * HOUR, self.start + 3 * HOUR)
        w.reserve(self.accomplice.id, self.start - 3 * HOUR, self.start + 3 * HOUR)
        # where the holder works meanwhile: a zone one door from storage, not the cage
        hops = Topology.of(w.site)
        near = [z.id for z in w.site.zones if not z.public and z.id not in (hv, lay.storage)
                and lay.allowed(self.holder, z.id) and hops.zone_hops(z.id, lay.storage) == 1]
        if not near:
            raise self.fail(w, "zone", "no zone one door from storage for the holder to work in")
        self.holder_zone = self.rng.choice(near)
        n = self.spec.count or self.rng.randint(2, 8)
        self.take_t = self.start + 2 * MINUTE
        self.epcs = w.inventory.claim(hv, self.take_t, n, self.rng)
        _take(w, self, hv, self.take_t, self.epcs)

    def finish(self, w: World) -> None:
        _until_counted(w, self)

    def emit(self, w: World) -> None:
        lay, rng = w.layout, self.rng
        h, a = self.holder, self.accomplice
        hw = Walker(w, h, self.start - 40 * MINUTE, lay.entrance, rng)
        hw.go(self.holder_zone)
        aw = Walker(w, a, self.start - 25 * MINUTE, lay.entrance, rng)
        aw.go(lay.storage or "")
        aw.t = max(aw.t, self.start)
        door = next((d.id for d in w.site.doors if tuple(d.zones) == (lay.storage, self.zone)), None)
        if door is None:
            raise self.fail(w, "zone", f"no door from {lay.storage} into {self.zone}")
        with self.recording(w) as seen:
            borrowed = Passer(h, h.credentials[0])
            t = door_pass(w, aw.t, door, self.zone, [borrowed], rng)
            aw.t = t
            aw._leave_zone()
            aw._enter_zone(self.zone)
            fixed_reads(w, rng, self.zone, self.epcs, aw.t + self.ms(30, 90))
            aw.t += self.ms(120, 360)
            aw.t = door_pass(w, aw.t, door, lay.storage or "", [borrowed], rng)
            aw._leave_zone()
            aw._enter_zone(lay.storage or "")
        aw.go(lay.entrance)
        aw.finish()
        hw.t = max(hw.t, aw.t + self.ms(600, 1800))
        hw.go(lay.entrance)
        hw.finish()
        w.busy.setdefault(h.id, []).append((self.start - 40 * MINUTE, hw.t))
        w.busy.setdefault(a.id, []).append((self.start - 25 * MINUTE, aw.t))
        grant = next(e for _, e in seen if e.kind == "access")
        self.mark(min(x for x, e in seen if e.kind == "access"), grant.id)
        self.end = max(x for x, _ in seen)
        self.ents.people = [h.id, a.id]
        self.ents.credentials = [h.credentials[0]]
        self.ents.doors = [door]
        self.ents.zones = [self.zone]
        self.ents.epcs = list(self.epcs)
        self.summary = f"{a.id} used {h.id}'s badge into {self.zone} while {h.id} worked in {self.holder_zone}"


class MaintenanceCover(Attack):
    type = "maintenance_cover"

    def plan(self, w: World) -> None:
        lay, site = w.layout, w.site
        if lay.dock_out is None or lay.storage is None or not site.change_windows:
            raise self.fail(w, "zone", "maintenance_cover needs an exit dock, storage and a change window")
        self.start = self.when(w, hours=(8, 18), ok=lambda t: calendar.in_change_window(site, w.clock.dt(t))
                               and calendar.in_change_window(site, w.clock.dt(t + 50 * MINUTE)))
        self.cams = [c.id for c in site.cameras if lay.dock_out in c.zones and c.door is None]
        admins = [p.id for p in site.people if site.roles.get(p.role or "") is not None
                  and site.roles[p.role or ""].admin]
        self.admin = admins[0] if admins else "it-admin"
        self.down = self.start + 10 * MINUTE
        self.back = self.down + self.ms(1200, 2400)
        for c in self.cams:
            w.outage(c, self.down, self.back)
        self.grab = self.down + self.ms(300, 900)
        self.epcs = w.inventory.claim(lay.storage, self.grab, self.spec.count or self.rng.randint(6, 25),
                                      self.rng, high_value=False)
        _take(w, self, lay.storage, self.grab, self.epcs)

    def finish(self, w: World) -> None:
        _until_counted(w, self)

    def emit(self, w: World) -> None:
        lay, em, rng = w.layout, w.em, self.rng
        for c in self.cams:
            em.admin(self.start + self.ms(5, 60), change_source(w), self.admin, "change_config", target=c,
                     detail="firmware update")
            em.device(self.down + self.ms(1, 30), c, c, "offline", "firmware update")
            em.device(self.back, c, c, "online")
        with self.recording(w) as seen:
            t = portal_reads(w, rng, lay.dock_out or "", self.epcs, self.grab, "out", gap_ms=(200, 900))
            door = _exit_door(w)
            if door is not None:
                door_pass(w, t + 4000, door, lay.entrance, [], rng)
        first = min(seen, key=lambda x: x[0])
        self.mark(first[0], first[1].id)
        self.end = max(x for x, _ in seen)
        self.ents.zones = [lay.dock_out or ""]
        self.ents.epcs = list(self.epcs)
        self.ents.devices = list(self.cams)
        self.summary = f"{len(self.epcs)} items left through {lay.dock_out} while its cameras were down as planned"


class GuardCollusion(Attack):
    type = "guard_collusion"

    def plan(self, w: World) -> None:
        lay, site = w.layout, w.site
        if not lay.hv_zones or lay.dock_out is None:
            raise self.fail(w, "zone", "guard_collusion needs a high-value zone and an exit dock")
        self.zone = self.spec.zone or lay.hv_zones[0]
        guards = [p for p in site.people if site.roles.get(p.role or "") is not None
                  and site.roles[p.role or ""].responder and p.shift is not None]
        if not guards:
            raise self.fail(w, "actor", "the site has no guard on a shift")
        self.start = self.when(w, hours=(0.5, 4.5), ok=lambda t: (is_closed(w, t) or site.hours is None) and any(
            calendar.on_shift(site, g, w.clock.dt(t)) for g in guards))
        on = [g for g in guards if calendar.on_shift(site, g, w.clock.dt(self.start))] or guards
        self.actor = site.people_by_id[self.spec.actor] if self.spec.actor else self.rng.choice(on)
        w.reserve(self.actor.id, self.start - 2 * HOUR, self.start + 3 * HOUR)
        self.take_t = self.start + 15 * MINUTE
        self.epcs = w.inventory.claim(self.zone, self.take_t, self.spec.count or self.rng.randint(3, 15), self.rng)
        _take(w, self, self.zone, self.take_t, self.epcs)

    def finish(self, w: World) -> None:
        _until_counted(w, self)

    def emit(self, w: World) -> None:
        lay, rng, g = w.layout, self.rng, self.actor
        wk = Walker(w, g, self.start - 30 * MINUTE, lay.entrance, rng, extra=frozenset([self.zone]))
        wk.go(lay.desk)
        wk.t = max(wk.t, self.start)
        panel = lay.panel_of.get(self.zone)
        with self.recording(w) as seen:
            if panel is not None:
                w.em.sensor(wk.t, panel, self.zone, "disarm", user=g.id)
            wk.go(self.zone)
            wk.t = max(wk.t, self.take_t)
            fixed_reads(w, rng, self.zone, self.epcs, wk.t)
            wk.go(lay.dock_out or "")
            wk.t = portal_reads(w, rng, lay.dock_out or "", self.epcs, wk.t + self.ms(20, 60), "out")
            if panel is not None:
                w.em.sensor(wk.t + self.ms(60, 200), panel, self.zone, "arm", user=g.id)
        wk.go(lay.desk)
        wk.t += self.ms(600, 1800)
        wk.go(lay.entrance)
        wk.finish()
        w.busy.setdefault(g.id, []).append((self.start - 30 * MINUTE, wk.t))
        first = min(seen, key=lambda x: x[0])
        self.mark(first[0], first[1].id)
        self.end = max(x for x, _ in seen)
        self.ents.people = [g.id]
        self.ents.credentials = g.credentials[:1]
        self.ents.zones = [self.zone, lay.dock_out or ""]
        self.ents.epcs = list(self.epcs)
        self.summary = f"guard {g.id} disarmed {self.zone} on duty and carried {len(self.epcs)} items out"


NOVEL: tuple[type[Attack], ...] = (PhantomRecord, SplitTheft, BorrowedBadge, MaintenanceCover, GuardCollusion)

__all__ = ["NOVEL", "MINUTE"]
