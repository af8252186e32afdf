"""People walking through the site: badge, door, camera line, zone cameras, motion.

    >>> wk = Walker(world, person, t, world.layout.entrance, rng)   # doctest: +SKIP
    >>> wk.go("storage"); wk.stay(20 * MINUTE); wk.go(world.layout.entrance)   # doctest: +SKIP

One pass through a door is what a real controller and camera report: the
access grant (direction relative to the door's zones), the door ``open``, the
door camera's ``line_cross`` with how many people crossed, ``held`` reports
while it stays open past 30 s (with the growing duration), and ``closed`` with
how long it was open. Several people may badge through one opening: each gets
a grant, the camera counts them all — that is holding a door, not tailgating.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from stockade.sim.clock import MINUTE
from stockade.sim.world import Visit, World
from stockade.site.config import Person

HELD_AFTER_MS = 30_000


@dataclass
class Passer:
    person: Person | None
    credential: str | None


def factors_for(w: World, door: str) -> list[str]:
    return ["badge", "pin"] if door in w.layout.pin_doors else ["badge"]


def door_pass(w: World, t: int, door: str, into: str, people: list[Passer], rng: random.Random, *,
              hold_ms: int = 0, typo: bool = False, followers: int = 0) -> int:
    """People badge through ``door`` into ``into`` at ``t``; returns when the door has closed.

    ``followers`` people cross behind them without badging (tailgating, for attacks).
    """
    em = w.em
    direction = w.layout.direction(door, into)
    factors = factors_for(w, door)
    if typo and "pin" in factors and people:
        p = people[0]
        em.access(t, door, "denied", factors, subject=p.person.id if p.person else None,
                  credential=p.credential, direction=direction, reason="wrong_pin")
        t += rng.randrange(4000, 12000)
        w.stats["mistyped_pin"] += 1
    if "pin" in factors:
        w.stats["pin_entry"] += len(people)
    for k, p in enumerate(people):
        em.access(t + k * rng.randrange(1200, 2600), door, "granted", factors,
                  subject=p.person.id if p.person else None, credential=p.credential, direction=direction)
    opened = t + 600 + rng.randrange(600)
    em.door(opened, door, "open")
    crossing = len(people) + followers
    cam = w.layout.door_camera.get(door)
    if cam is not None and crossing and not w.down(cam, opened):
        em.video(opened + 1500 + rng.randrange(1500), cam, "person", "line_cross", zone=into,
                 count=crossing, track=w.uid("trk-"), score=round(0.7 + rng.random() * 0.29, 2))
    open_ms = hold_ms or (3500 + rng.randrange(4500) + 1800 * (crossing - 1))
    if open_ms > HELD_AFTER_MS:
        held = HELD_AFTER_MS
        while held < open_ms:
            em.door(opened + held, door, "held", duration_s=held // 1000)
            held += HELD_AFTER_MS
    closed = opened + open_ms
    em.door(closed, door, "closed", duration_s=round(open_ms / 1000, 1))
    return closed


@dataclass
class Walker:
    w: World
    person: Person
    t: int
    zone: str
    rng: random.Random
    extra: frozenset[str] = frozenset()
    _since: int = 0
    _tracks: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._since = self.t
        self._enter_zone(self.zone)

    @property
    def credential(self) -> str | None:
        return self.person.credentials[0] if self.person.credentials else None

    def _enter_zone(self, zone: str) -> None:
        w, t = self.w, self.t
        self.zone, self._since = zone, t
        self._tracks = []
        for cam in w.layout.zone_cameras.get(zone, ()):
            if not w.down(cam, t):
                track = w.uid("trk-")
                self._tracks.append((cam, track))
                w.em.video(t + 2000 + self.rng.randrange(3000), cam, "person", "enter", zone=zone,
                           track=track, score=round(0.6 + self.rng.random() * 0.39, 2))
        for sensor in w.layout.motion.get(zone, ()):
            w.em.sensor(t + 1000 + self.rng.randrange(4000), sensor, zone, "motion", value=1)

    def _leave_zone(self) -> None:
        w, t = self.w, self.t
        for cam, track in self._tracks:
            if not w.down(cam, t):
                w.em.video(t, cam, "person", "exit", zone=self.zone, track=track,
                           dwell_s=round((t - self._since) / 1000, 1))
        w.visits.setdefault(self.person.id, []).append(Visit(self.zone, self._since, t))

    def closed_at(self, t: int) -> bool:
        from stockade.site import calendar  # local: cheap, and keeps the import list short
        return self.w.site.hours is not None and not calendar.is_open(self.w.site, self.w.clock.dt(t))

    def go(self, goal: str, *, hold_ms: int = 0, typo_rate: float | None = None, skip_first: bool = False) -> bool:
        """Walk to ``goal``; False (and stay put) when the person may not get there."""
        if typo_rate is None:
            typo_rate = self.w.scenario.model.benign.mistyped_pin
        if goal == self.zone:
            return True
        doors = self.w.layout.path(self.person, self.zone, goal, closed=self.closed_at(self.t),
                                   extra=self.extra)
        if doors is None:
            return False
        for k, door in enumerate(doors):
            into = self.w.layout.other_side(door, self.zone)
            if not (skip_first and k == 0):
                self.t += self.rng.randrange(25_000, 75_000)
                typo = typo_rate > 0 and self.rng.random() < typo_rate
                self.t = door_pass(self.w, self.t, door, into, [Passer(self.person, self.credential)],
                                   self.rng, hold_ms=hold_ms if k == 0 else 0, typo=typo)
            self._leave_zone()
            self._enter_zone(into)
        return True

    def stay(self, ms: int) -> None:
        self.t += max(ms, 0)

    def finish(self) -> None:
        """The walk ends (the person left the site, or the run ends)."""
        self._leave_zone()


def stroll_minutes(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randrange(lo * MINUTE, hi * MINUTE)
