"""Blinding the site before a theft: blind-and-grab, and suppressed device events.

    >>> ATTACKS["blind_and_grab"]     # doctest: +SKIP

- ``blind_and_grab`` (the JD.com pattern): at night several cameras go
  offline, stop recording or report tampering, the alarm panel goes offline,
  a door is forced from outside, goods leave through the outbound dock's portal
  with no pick or shipment, and a vehicle with no appointment may leave.
- ``event_suppression``: one device's events are dropped for a while during a
  theft; its sequence numbers jump (variant ``skip``) or it falls silent for
  more than three heartbeats (variant ``silent``).
"""

from __future__ import annotations

from stockade.sim.attacks.base import MINUTE, Attack, is_closed
from stockade.sim.reads import portal_reads
from stockade.sim.trucks import plate
from stockade.sim.world import World


class BlindAndGrab(Attack):
    type = "blind_and_grab"

    def plan(self, w: World) -> None:
        lay, site = w.layout, w.site
        self.zone = self.spec.zone or (lay.hv_zones[0] if lay.hv_zones else lay.storage)
        if self.zone is None or lay.dock_out is None:
            raise self.fail(w, "zone", "blind_and_grab needs a storage or high-value zone and an exit dock")
        self.start = self.when(w, hours=(0.5, 4.0), ok=lambda t: is_closed(w, t) or w.site.hours is None)
        near = {self.zone, lay.dock_out, lay.storage or "", lay.entrance}
        cams = [c.id for c in site.cameras if near & set(c.zones)]
        k = min(len(cams), self.spec.count or self.rng.randint(3, 6))
        self.cameras = list(self.spec.devices or self.rng.sample(cams, k))
        self.panel = lay.panel_of.get(self.zone)
        kinds = ["offline", "recording_stopped", "tamper", "offline"]
        self.statuses = {c: self.rng.choice(kinds) for c in self.cameras}
        t = self.start
        self.down_at: dict[str, int] = {}
        for d in ([self.panel] if self.panel else []) + self.cameras:
            t += self.ms(4, 40)
            self.down_at[d] = t
        self.grab_t = t + self.ms(120, 420)
        self.back = self.grab_t + int(self.rng.uniform(40, 150) * MINUTE)
        for d, s in self.down_at.items():
            if d != self.panel and self.statuses.get(d) == "recording_stopped":
                continue  # still online, just not recording
            w.outage(d, s, self.back)
        n = self.spec.count and self.spec.count * 8 or self.rng.randint(15, 90)
        self.epcs = w.inventory.claim(self.zone, self.grab_t, n, self.rng,
                                      high_value=True if self.zone in lay.hv_zones else None)
        for e in self.epcs:
            w.inventory.leave(e, self.zone, self.grab_t)
        zones = site.zones_by_id
        entries = [d.id for d in site.doors if lay.dock_out in d.zones
                   and ({zones[z].kind for z in d.zones} & {"perimeter", "yard"})]
        self.entry = self.spec.door or (self.rng.choice(entries) if entries else site.doors[0].id)
        self.inner = next((d.id for d in site.doors if self.zone in d.zones and d.zones[1] == self.zone), None)

    def emit(self, w: World) -> None:
        lay, rng = w.layout, self.rng
        em = w.em
        with self.recording(w) as seen:
            for d, t in self.down_at.items():
                status = "offline" if d == self.panel else self.statuses[d]
                em.device(t, d, d, status, "no signal" if status == "offline" else None)
            t = self.grab_t - self.ms(60, 180)
            em.door(t, self.entry, "forced")
            em.door(t + 1500, self.entry, "open")
            if self.inner is not None:
                em.door(t + self.ms(40, 120), self.inner, "forced")
            for cam in lay.zone_cameras.get(lay.dock_out or "", []):
                if not w.down(cam, t) and self.statuses.get(cam) != "recording_stopped" and cam not in self.statuses:
                    em.video(t + 4000, cam, "person", "enter", zone=lay.dock_out, count=rng.randint(2, 5),
                             track=w.uid("trk-"), score=0.81)
            t = portal_reads(w, rng, lay.dock_out or "", self.epcs, self.grab_t + self.ms(300, 900), "out",
                             gap_ms=(120, 900))
            em.door(t + 60_000, self.entry, "closed", duration_s=round((t + 60_000 - (self.grab_t - 60_000)) / 1000))
            self.plate = None
            if w.site.gates and rng.random() < 0.6:
                self.plate = plate(rng)
                em.gate(t + self.ms(120, 300), rng.choice(w.site.gates).id, "out", plate=self.plate)
            for d in self.down_at:
                back = "recording_started" if self.statuses.get(d) == "recording_stopped" else "online"
                em.device(self.back + self.ms(1, 30), d, d, back, "restored")
        first = min(seen, key=lambda x: x[0])
        self.mark(first[0], first[1].id)
        self.end = t
        self.ents.devices = list(self.down_at)
        self.ents.doors = [self.entry] + ([self.inner] if self.inner else [])
        self.ents.zones = [self.zone or "", lay.dock_out or ""]
        self.ents.epcs = list(self.epcs)
        self.ents.trucks = [self.plate] if self.plate else []
        self.summary = f"{len(self.down_at)} devices blinded, {self.entry} forced, {len(self.epcs)} items out"


class EventSuppression(Attack):
    type = "event_suppression"

    def plan(self, w: World) -> None:
        lay = w.layout
        portals = lay.portals.get(lay.dock_out or "", [])
        default = portals or [r.id for r in w.site.readers]
        if not default and not self.spec.devices:
            raise self.fail(w, "devices", "event_suppression needs an RFID reader or a named device")
        self.device = (self.spec.devices or [self.rng.choice(default)])[0]
        self.variant = self.spec.variant or self.rng.choice(["skip", "silent"])
        self.start = self.when(w, hours=(0.5, 5.0))
        hb = w.site.devices.heartbeat_s * 1000
        if self.spec.duration_min:
            length = int(self.spec.duration_min * MINUTE)
        elif self.variant == "silent":
            length = self.rng.randrange(3 * hb + MINUTE, 5 * hb)
        else:
            length = self.rng.randrange(2, 8) * MINUTE
        self.stop = self.start + length
        self.sup = w.em.suppress(self.device, self.start, self.stop)
        src = lay.hv_zones[0] if lay.hv_zones and is_closed(w, self.start) is False else lay.storage
        self.zone = src or ""
        n = self.spec.count or self.rng.randint(5, 30)
        self.take_t = self.start + length // 4
        self.epcs = w.inventory.claim(self.zone, self.take_t, n, self.rng) if self.zone else []
        for e in self.epcs:
            w.inventory.leave(e, self.zone, self.take_t)

    def emit(self, w: World) -> None:
        lay = w.layout
        dev_zone = next((r.zone for r in w.site.readers if r.id == self.device), lay.dock_out or "")
        if self.device in {r.id for r in w.site.readers if r.portal}:
            portal_reads(w, self.rng, dev_zone, self.epcs, self.take_t, "out", readers=[self.device])
        else:
            w.em.device(self.take_t, self.device, self.device, "online")
        # the device speaks again when it comes back: its next event shows the gap
        w.em.device(self.stop + self.ms(1, 20), self.device, self.device, "online")

    def finish(self, w: World) -> None:
        if self.sup.first_after is not None:
            self.mark(self.sup.first_after_t, self.sup.first_after)
        self.end = self.stop + 5 * MINUTE
        self.ents.devices = [self.device]
        self.ents.zones = [self.zone]
        self.ents.epcs = list(self.epcs)
        self.summary = f"{self.device} suppressed {self.sup.dropped} events ({self.variant}) during a theft"

