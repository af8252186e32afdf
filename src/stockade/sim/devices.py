"""Device traffic: heartbeats, panel arming at opening and closing, start-up states, camera reboots.

    >>> heartbeats(world, day_start, day_end)     # doctest: +SKIP

Cameras, RFID readers, alarm panels and gates report ``online`` every
``heartbeat_s`` from a per-device phase, except while they are down. A reboot
(a benign oddity) is an ``offline`` followed within a few minutes by ``online``.
Panels report their state when the run starts, with no user, then are
disarmed a few minutes after opening and armed a few minutes before closing
by a guard (or supervisor) on duty.
"""

from __future__ import annotations

import math
import random
from datetime import date

from stockade.sim.clock import MINUTE
from stockade.sim.world import World
from stockade.site import calendar
from stockade.site.config import DAYS, Person, parse_clock


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def startup(w: World) -> None:
    """Panel states at the start: armed when the site is closed then, if it has hours."""
    armed = w.site.hours is not None and not calendar.is_open(w.site, w.clock.dt(0))
    for zone, panel in w.layout.panel_of.items():
        w.em.sensor(1000, panel, zone, "arm" if armed else "disarm")


def heartbeats(w: World, start: int, end: int) -> None:
    period = w.site.devices.heartbeat_s * 1000
    for device in w.layout.heartbeat_devices:
        phase = w.rng("phase", device).randrange(period)
        t = start + (phase - start) % period
        while t < end:
            if not w.down(device, t):
                w.em.device(t, device, device, "online")
            t += period


def camera_reboots(w: World, day: date, start: int, end: int) -> None:
    rng = w.rng("reboot", day)
    cams = [c.id for c in w.site.cameras]
    for _ in range(poisson(rng, w.scenario.model.benign.camera_reboot)):
        if not cams:
            return
        cam = rng.choice(cams)
        t = rng.randrange(start, end - 10 * MINUTE)
        dur = rng.randrange(60_000, 240_000)
        if w.down(cam, t) or w.down(cam, t + dur):
            continue
        w.em.device(t, cam, cam, "offline", "rebooting")
        w.outage(cam, t, t + dur)
        w.em.device(t + dur, cam, cam, "online", "back after reboot")
        w.stats["camera_reboot"] += 1


def open_spans(w: World, day: date) -> list[tuple[int, int]]:
    if w.site.hours is None:
        return []
    out = []
    for h in w.site.hours:
        if DAYS[day.weekday()] in h.days:
            o, c = parse_clock(h.open), parse_clock(h.close)
            out.append((w.clock.at_local(day, o), w.clock.at_local(day, c if c > o else c + 1440)))
    return out


def duty_person(w: World, t: int) -> Person | None:
    """Who arms and disarms: a guard on shift, else a supervisor on shift."""
    site = w.site
    for want_guard in (True, False):
        for p in site.people:
            role = site.roles.get(p.role or "")
            if role is None or p.shift is None:
                continue
            is_guard = role.zones == "*"
            if is_guard == want_guard and (is_guard or "supervisor" in (p.role or "")) \
                    and calendar.on_shift(site, p, w.clock.dt(t)):
                return p
    return None


def panels(w: World, day: date) -> None:
    rng = w.rng("panels", day)
    for open_t, close_t in open_spans(w, day):
        for zone, panel in w.layout.panel_of.items():
            t_dis = open_t + rng.randrange(MINUTE, 8 * MINUTE)
            t_arm = close_t - rng.randrange(3 * MINUTE, 12 * MINUTE)
            for t, kind in ((t_dis, "disarm"), (t_arm, "arm")):
                who = duty_person(w, t)
                w.em.sensor(t, panel, zone, kind, user=who.id if who else None)

