"""Cloned RFID tags: one EPC read in two distant places at once.

    >>> ATTACKS["cloned_tag"]     # doctest: +SKIP

The genuine item stays in its zone (a high-value cage by default) and is read
there, while a copy of its EPC is read at a distant reader — leaving through
the outbound dock's portal (variant ``exit``, the default) or at the inbound
dock (variant ``dock_in``) — within seconds. One to three EPCs are cloned.
"""

from __future__ import annotations

from stockade.sim.attacks.base import Attack
from stockade.sim.world import World
from stockade.site.topology import Topology


class ClonedTag(Attack):
    type = "cloned_tag"

    def plan(self, w: World) -> None:
        lay = w.layout
        zone = self.spec.zone or next((z for z in lay.hv_zones if lay.fixed_readers.get(z)),
                                      next((z for z in lay.fixed_readers), None))
        if zone is None or not lay.fixed_readers.get(zone):
            raise self.fail(w, "zone", "cloned_tag needs a zone with a fixed RFID reader")
        self.zone: str = zone
        self.variant = self.spec.variant or self.rng.choice(["exit", "exit", "dock_in"])
        far_zone = lay.dock_out if self.variant == "exit" else lay.dock_in
        topo = Topology.of(w.site)
        readers = [r.id for r in w.site.readers if r.zone == far_zone] or \
            [r.id for r in w.site.readers if topo.zone_hops(r.zone, self.zone) >= 2]
        if not readers:
            raise self.fail(w, "variant", "no reader is far enough from the cloned tag's zone")
        self.far = self.rng.choice(readers)
        self.start = self.when(w, hours=(0, 24))
        self.epcs = w.inventory.claim(self.zone, self.start, self.spec.count or self.rng.randint(1, 3), self.rng)
        if not self.epcs:
            raise self.fail(w, "zone", f"no goods in {self.zone} to clone")

    def emit(self, w: World) -> None:
        rng, em = self.rng, w.em
        home = w.layout.fixed_readers[self.zone][0]
        portal = self.far in {r.id for r in w.site.readers if r.portal}
        direction = ("out" if self.variant == "exit" else "in") if portal else None
        t = self.start
        for epc in self.epcs:
            em.tag(t, home, epc, antenna=rng.randint(1, 4), rssi=-float(rng.randrange(45, 60)))
            dt = self.ms(0.5, 20)
            ev = em.tag(t + dt, self.far, epc, antenna=rng.randint(1, 4), rssi=-float(rng.randrange(45, 60)),
                        direction=direction)
            self.mark(t + dt, ev)
            if rng.random() < 0.5:  # the genuine item is seen again, still at home
                em.tag(t + dt + self.ms(2, 30), home, epc, antenna=rng.randint(1, 4), rssi=-50.0)
            t += self.ms(1, 10)
        self.end = t + 60_000
        far_zone = next(r.zone for r in w.site.readers if r.id == self.far)
        self.ents.epcs = list(self.epcs)
        self.ents.devices = [home, self.far]
        self.ents.zones = [self.zone, far_zone]
        self.summary = f"{len(self.epcs)} EPC(s) of {self.zone} read at {self.far} at the same time"
