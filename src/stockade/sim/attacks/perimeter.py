"""Outside and at the edges: perimeter breaches and loitering at docks.

    >>> ATTACKS["perimeter_breach"]     # doctest: +SKIP

- ``perimeter_breach``: a fence, beam or geofence sensor trips at night; with
  variant ``entry`` (the default) motion and a camera then see someone in the
  yard; ``probe`` stops at the fence.
- ``dock_loitering``: someone lingers in a dock, the yard or a high-value zone;
  the camera reports ``loiter`` with a growing dwell time.
"""

from __future__ import annotations

from stockade.sim.attacks.base import MINUTE, Attack, is_closed
from stockade.sim.world import World


class PerimeterBreach(Attack):
    type = "perimeter_breach"

    def plan(self, w: World) -> None:
        kinds = ("fence", "beam", "geofence")
        self.sensors = [s for s in w.site.sensors if s.type in kinds]
        if self.spec.devices:
            self.sensors = [s for s in w.site.sensors if s.id in self.spec.devices] or self.sensors
        if not self.sensors:
            raise self.fail(w, "devices", "perimeter_breach needs a fence, beam or geofence sensor")
        self.sensor = self.rng.choice(self.sensors)
        self.variant = self.spec.variant or self.rng.choice(["entry", "entry", "probe"])
        self.start = self.when(w, hours=(0, 5), ok=lambda t: is_closed(w, t) or w.site.hours is None)

    def emit(self, w: World) -> None:
        rng, lay, em = self.rng, w.layout, w.em
        s = self.sensor
        t = self.start
        with self.recording(w) as seen:
            for _ in range(rng.randint(1, 3)):
                em.sensor(t, s.id, s.zone, s.type, value=1)
                t += self.ms(2, 20)
            if self.variant == "entry":
                yard = lay.entrance
                for cam in lay.zone_cameras.get(s.zone, []) + lay.zone_cameras.get(yard, []):
                    if not w.down(cam, t):
                        em.video(t + self.ms(5, 30), cam, "person", "enter", zone=yard, track=w.uid("trk-"),
                                 count=rng.randint(1, 3), score=round(rng.uniform(0.55, 0.9), 2))
                for m in lay.motion.get(yard, []):
                    em.sensor(t + self.ms(10, 60), m, yard, "motion", value=1)
                for b in (x for x in w.site.sensors if x.type == "beam" and x.zone == yard and x.id != s.id):
                    em.sensor(t + self.ms(30, 120), b.id, yard, "beam", value=1)
        first = min(seen, key=lambda x: x[0])
        self.mark(first[0], first[1].id)
        self.end = max(x[0] for x in seen)
        self.ents.devices = sorted({getattr(e, "sensor", "") or getattr(e, "camera", "") for _, e in seen})
        self.ents.zones = sorted({getattr(e, "zone", "") or "" for _, e in seen})
        self.summary = f"{s.type} {s.id} tripped ({self.variant})"


class DockLoitering(Attack):
    type = "dock_loitering"

    def plan(self, w: World) -> None:
        lay = w.layout
        zones = [z.id for z in w.site.zones if z.kind in ("dock", "yard", "high_value") and lay.zone_cameras.get(z.id)]
        zone = self.spec.zone or (self.rng.choice(zones) if zones else None)
        if zone is None or not lay.zone_cameras.get(zone):
            raise self.fail(w, "zone", "dock_loitering needs a dock, yard or high-value zone with a camera")
        self.zone: str = zone
        self.camera = self.rng.choice(lay.zone_cameras[zone])
        self.start = self.when(w, hours=(0, 24))
        self.minutes = self.spec.duration_min or self.rng.uniform(6, 40)

    def emit(self, w: World) -> None:
        rng, em = self.rng, w.em
        track = w.uid("trk-")
        t = self.start
        label = "person"
        with self.recording(w) as seen:
            em.video(t, self.camera, label, "enter", zone=self.zone, track=track, score=0.84)
            step = int(self.ms(45, 90) / self.pace)
            dwell = 0
            while dwell < self.minutes * MINUTE:
                dwell += step
                em.video(t + dwell, self.camera, label, "loiter", zone=self.zone, track=track,
                         dwell_s=dwell // 1000, score=round(rng.uniform(0.7, 0.95), 2))
            em.video(t + dwell + 30_000, self.camera, label, "exit", zone=self.zone, track=track,
                     dwell_s=(dwell + 30_000) // 1000)
        first = next(x for x in seen if getattr(x[1], "event", "") == "loiter")
        self.mark(first[0], first[1].id)
        self.end = seen[-1][0]
        self.ents.zones = [self.zone]
        self.ents.devices = [self.camera]
        self.summary = f"someone loitered {int(self.minutes)} min in {self.zone}"
