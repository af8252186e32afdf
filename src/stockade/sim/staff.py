"""Honest people: shifts, breaks, tasks, overtime, guard patrols, vendors, new hires, write-offs.

    >>> staff_day(world, date(2026, 11, 23))       # doctest: +SKIP

Workers arrive 5–25 minutes before their shift, walk from the entrance to
their home zone, move between the zones of their role, take a break in the
first room past the entrance (lockers), and leave within 18 minutes of the
end. Overtime is approved first: a ``schedule_override`` admin event from the
workforce system precedes it. Zones with a panel are visited only while the
site is open (with margin before arming). Vendors come inside their contract's
days and hours; guards patrol every zone they may enter.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from stockade.sim.clock import HOUR, MINUTE
from stockade.sim.devices import open_spans, poisson
from stockade.sim.walk import Passer, Walker, door_pass
from stockade.sim.world import World
from stockade.site import calendar
from stockade.site.config import DAYS, Person, parse_clock


def shift_span(w: World, p: Person, day: date) -> tuple[int, int] | None:
    if p.shift is None:
        return None
    s = w.site.shifts[p.shift]
    if DAYS[day.weekday()] not in s.days or calendar.on_leave(p, day):
        return None
    a, b = parse_clock(s.start), parse_clock(s.end)
    return w.clock.at_local(day, a), w.clock.at_local(day, b if b > a else b + 1440)


def _is_open(w: World, t: int) -> bool:
    return w.site.hours is None or calendar.is_open(w.site, w.clock.dt(t))


def _may_visit(w: World, zone: str, t: int, stay: int) -> bool:
    """Panel zones only while open, and left well before the closing arm."""
    if zone not in w.layout.panel_of:
        return True
    return _is_open(w, t) and _is_open(w, t + stay + 30 * MINUTE)


def break_zone(w: World, p: Person) -> str | None:
    doors = w.layout.path(p, w.layout.entrance, w.layout.home(p), closed=False)
    zone = w.layout.entrance
    for d in doors or ():
        zone = w.layout.other_side(d, zone)
        if not w.site.zones_by_id[zone].public:
            return zone
    return None


def plan_new_hires(w: World) -> None:
    """Pick new hires, hide them before their first day, and create them in a change window before it."""
    rng = w.rng("new-hires")
    days = w.clock.days()
    windows = [(w.clock.at_local(d, parse_clock(c.start)), w.clock.at_local(d, parse_clock(c.end)))
               for d in days for c in w.site.change_windows if DAYS[d.weekday()] in c.days]
    windows = [(s, e) for s, e in windows if s >= 0]
    workers = [p for p in w.site.people if p.shift is not None and p.kind == "employee"
               and (w.site.roles[p.role or ""].zones != "*")]
    for _ in range(poisson(rng, w.scenario.model.benign.new_hire * len(days))):
        if not workers or not windows:
            return
        p = workers.pop(rng.randrange(len(workers)))
        candidates = [(d, span) for d in days[1:] if (span := shift_span(w, p, d)) is not None]
        candidates = [(d, sp) for d, sp in candidates if any(e <= sp[0] - HOUR for _, e in windows)]
        if not candidates:
            continue
        first_day, (start, _) = rng.choice(candidates)
        ws, we = max((s, e) for s, e in windows if e <= start - HOUR)
        w.not_before[p.id] = start - 2 * HOUR
        admin = next((q for q in w.site.people if w.site.roles.get(q.role or "") is not None
                      and w.site.roles[q.role or ""].admin), None)
        w.em.admin(rng.randrange(ws, we), "iam", admin.id if admin else "hr-sync", "create_user",
                   target=p.id, detail=f"new hire, first day {first_day.isoformat()}")
        w.stats["new_hire"] += 1


def staff_day(w: World, day: date) -> None:
    rng = w.rng("staff", day)
    benign = w.scenario.model.benign
    plans: list[tuple[int, Person, int, int]] = []
    for p in w.site.people:
        span = shift_span(w, p, day)
        if span is None or p.kind == "driver":
            continue
        s, e = span
        if s < w.not_before.get(p.id, -1) or rng.random() < 0.02 or w.is_reserved(p.id, s - HOUR, e + 3 * HOUR):
            continue
        plans.append((s - rng.randrange(5 * MINUTE, 26 * MINUTE), p, s, e))
    plans.sort(key=lambda x: (x[0], x[1].id))
    dock_zones = {z.id for z in w.site.zones if z.kind == "dock"}
    holders = [i for i, (_, p, _, _) in enumerate(plans)
               if dock_zones & set(w.layout.work_zones(p)) and w.site.roles[p.role or ""].zones != "*"]
    held = set(rng.sample(holders, min(len(holders), poisson(rng, benign.held_door)))) \
        if open_spans(w, day) or w.site.hours is None else set()
    i = 0
    while i < len(plans):
        arrive, p, s, e = plans[i]
        if w.site.roles[p.role or ""].zones == "*":
            _guard(w, p, arrive, s, e, rng)
            i += 1
            continue
        group = [plans[i]]
        if i + 1 < len(plans) and w.site.roles[plans[i + 1][1].role or ""].zones != "*" \
                and plans[i + 1][0] - arrive < 10 * MINUTE and rng.random() < benign.hold_for_colleague:
            group.append(plans[i + 1])
        walkers = _arrive(w, [g[1] for g in group], arrive, rng)
        for k, wk in enumerate(walkers):
            _work(w, wk, group[k][2], group[k][3], rng, held=i + k in held)
        i += len(group)


def _arrive(w: World, people: list[Person], t: int, rng: random.Random) -> list[Walker]:
    """Walk in; a pair badges through the entrance door in one opening (holding it for each other)."""
    lay = w.layout
    walkers = [Walker(w, p, t, lay.entrance, rng) for p in people]
    w.stats["arrival"] += len(people)
    if len(walkers) == 2:
        paths = [lay.path(wk.person, lay.entrance, lay.home(wk.person), closed=wk.closed_at(t)) or []
                 for wk in walkers]
        if paths[0] and paths[1] and paths[0][0] == paths[1][0]:
            t += rng.randrange(25_000, 60_000)
            into = lay.other_side(paths[0][0], lay.entrance)
            closed = door_pass(w, t, paths[0][0], into, [Passer(wk.person, wk.credential) for wk in walkers], rng)
            for wk in walkers:
                wk.t = closed
                wk.go(into, skip_first=True)
            w.stats["hold_for_colleague"] += 1
    return walkers


def _work(w: World, wk: Walker, s: int, e: int, rng: random.Random, *, held: bool) -> None:
    benign = w.scenario.model.benign
    p = wk.person
    typo = benign.mistyped_pin
    home = w.layout.home(p)
    leave = e + rng.randrange(MINUTE, 18 * MINUTE)
    w.stats["worker_shift"] += 1
    if rng.random() < benign.overtime:
        extra = rng.randrange(45 * MINUTE, 150 * MINUTE)
        approver = next((q.id for q in w.site.people if "supervisor" in (q.role or "")
                         and q.shift == p.shift), "wfm-planner")
        w.em.admin(s + rng.randrange(2 * HOUR, 5 * HOUR), "wfm", approver, "schedule_override",
                   target=p.id, zone=home, start=e, end=e + extra + 30 * MINUTE, detail="approved overtime")
        leave = e + extra + rng.randrange(0, 10 * MINUTE)
        w.stats["overtime"] += 1
    wk.go(home, typo_rate=typo)
    zones = [z for z in w.layout.work_zones(p) if z != home] or [home]
    lo, hi = w.scenario.model.traffic.task_moves_per_shift
    moves = rng.randint(lo, hi)
    rest = break_zone(w, p)
    break_at = s + (e - s) // 2 + rng.randrange(-20 * MINUTE, 20 * MINUTE)
    took_break = rest is None
    hold_once = held
    step = max((leave - 10 * MINUTE - wk.t) // (moves + 2), 5 * MINUTE)
    while wk.t + step < leave - 10 * MINUTE:
        wk.stay(step + rng.randrange(-step // 3, step // 3))
        if not took_break and wk.t >= break_at and rest is not None:
            wk.go(rest, typo_rate=typo)
            wk.stay(rng.randrange(20 * MINUTE, 35 * MINUTE))
            took_break = True
            wk.go(home, typo_rate=typo)
            continue
        target = home if wk.zone != home and rng.random() < 0.5 else rng.choice(zones)
        if target == wk.zone or not _may_visit(w, target, wk.t, step):
            continue
        hold = 0
        if hold_once and w.site.zones_by_id[target].kind == "dock":
            hold, hold_once = rng.randrange(40_000, 170_000), False
            w.stats["held_door"] += 1
        wk.go(target, hold_ms=hold, typo_rate=typo)
    wk.t = max(wk.t, leave - 8 * MINUTE)
    wk.go(w.layout.entrance, typo_rate=typo)
    wk.finish()
    w.busy.setdefault(p.id, []).append((s, wk.t))


def _guard(w: World, p: Person, arrive: int, s: int, e: int, rng: random.Random) -> None:
    lay = w.layout
    wk = Walker(w, p, arrive, lay.entrance, rng)
    wk.go(lay.desk)
    rounds = w.scenario.model.traffic.patrols_per_shift
    zones = sorted(lay.work_zones(p), key=lambda z: (len(lay.path(p, lay.desk, z, closed=False) or []), z))
    for k in range(rounds):
        wk.t = max(wk.t, s + (e - s) * (k + 1) // (rounds + 1) + rng.randrange(-15 * MINUTE, 15 * MINUTE))
        for z in zones:
            if not _may_visit(w, z, wk.t, 10 * MINUTE) or (z in lay.panel_of and not _is_open(w, wk.t)):
                continue
            if wk.go(z):
                wk.stay(rng.randrange(MINUTE, 4 * MINUTE))
        wk.go(lay.desk)
    wk.t = max(wk.t, e + rng.randrange(MINUTE, 12 * MINUTE))
    wk.go(lay.entrance)
    wk.finish()
    w.busy.setdefault(p.id, []).append((s, wk.t))


def vendor_day(w: World, day: date) -> None:
    """Vendor staff visit within their contract's days, hours and zones."""
    rng = w.rng("vendors", day)
    for p in w.site.people:
        if p.kind != "vendor" or p.vendor is None:
            continue
        c = w.site.vendors_by_id[p.vendor].contract
        if DAYS[day.weekday()] not in c.days or calendar.on_leave(p, day) or rng.random() > 0.6:
            continue
        start, end = parse_clock(c.start), parse_clock(c.end)
        end = end if end > start else end + 1440
        length = min(end - start - 20, rng.randrange(60, 240))
        if length < 20:
            continue
        first = start + 10 + rng.randrange(max(end - start - length - 20, 1))
        t0, t1 = w.clock.at_local(day, first), w.clock.at_local(day, first + length)
        if w.is_reserved(p.id, t0 - HOUR, t1 + HOUR):
            continue
        zones = [z for z in c.zones if w.layout.allowed(p, z) and not w.site.zones_by_id[z].public
                 and w.layout.path(p, w.layout.entrance, z, closed=False) is not None]
        if not zones:
            continue
        wk = Walker(w, p, t0, w.layout.entrance, rng)
        while wk.t < t1 - 20 * MINUTE:
            z = rng.choice(zones)
            if _may_visit(w, z, wk.t, 40 * MINUTE):
                wk.go(z)
            wk.stay(rng.randrange(15 * MINUTE, 50 * MINUTE))
        wk.go(w.layout.entrance)
        wk.finish()
        w.busy.setdefault(p.id, []).append((t0, wk.t))
        w.stats["vendor_visit"] += 1


def writeoffs(w: World, day: date) -> None:
    """Damage found and written off by a supervisor on shift who was not just at that location."""
    rng = w.rng("writeoff", day)
    spans = open_spans(w, day) if w.site.hours is not None else [(w.clock.day_start(day),
                                                                  w.clock.day_start(day + timedelta(days=1)))]
    if not spans:
        return
    zones = [z.id for z in w.site.zones if z.kind == "storage"]
    for _ in range(poisson(rng, w.scenario.model.benign.damage_writeoff)):
        o, c = rng.choice(spans)
        t = rng.randrange(o + HOUR, max(c - HOUR, o + HOUR + 1))
        zone = rng.choice(zones) if zones else None
        if zone is None:
            return
        sups = [p for p in w.site.people if "supervisor" in (p.role or "") and w.on_site(p.id, t)
                and not w.was_in(p.id, zone, t - 2 * HOUR, t + 10 * MINUTE)]
        epcs = w.inventory.claim(zone, t, 1, rng)
        if not sups or not epcs:
            continue
        who = rng.choice(sups)
        w.inventory.leave(epcs[0], zone, t)
        w.em.stock(t, "adjust", **{"from": w.inventory.location(epcs[0], zone)}, epcs=epcs,
                   sku=w.inventory.sku_of(epcs[0]), qty=-1, reason="damaged", user=who.id)
        w.stats["damage_writeoff"] += 1
