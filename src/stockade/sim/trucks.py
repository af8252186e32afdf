"""Trucks and goods: appointments, gates, receiving and put-away, picking, loading and shipping.

    >>> trucks_day(world, date(2026, 11, 24))     # doctest: +SKIP

Each truck's appointment is announced by the TMS (an ``admin`` event,
``action: create_appointment``) hours before it comes; the driver, plate,
carrier and trailer at the gate match it. Inbound goods are read in at the
dock portals, then received (``receive``) and put away (``putaway``) into a bin,
high-value goods into the cage while it is open. Outbound orders are picked
(``pick`` naming the ``order``) into the pack zone, staged to the outbound dock,
read out through its portals, then shipped (``ship`` with ``shipment``,
``seal`` and ``trailer``) before the truck leaves through the gate with the same seal.
Some trucks come late (after their window), as they do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from stockade.sim.clock import HOUR, MINUTE
from stockade.sim.devices import open_spans, poisson
from stockade.sim.reads import fixed_reads, portal_reads
from stockade.sim.world import World
from stockade.site import calendar

CARRIERS = ("FASTFREIGHT", "TRANSALPES", "NORDLOG", "EUROHAUL", "RHONE-EXPRESS", "BLUEWAY")


@dataclass
class Truck:
    id: str
    direction: str          # inbound / outbound
    gate: str
    carrier: str
    plate: str
    driver: str
    window: tuple[int, int]
    shipment: str
    trailer: str
    announce: bool = True
    shown: dict[str, str] = field(default_factory=dict)    # what the gate sees instead (attacks)
    exit_seal: str | None = None                           # seal shown leaving, if not the loaded one
    marks: dict[str, tuple[int, str]] = field(default_factory=dict)  # step -> (t, event id)
    epcs: list[str] = field(default_factory=list)


def plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTVWXYZ"
    return (f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randrange(100, 1000)}-"
            f"{rng.choice(letters)}{rng.choice(letters)}")


def _is_open(w: World, t: int) -> bool:
    return w.site.hours is None or calendar.is_open(w.site, w.clock.dt(t))


def plan_trucks(w: World, day: date) -> list[Truck]:
    rng = w.rng("trucks", day)
    t = w.scenario.model.traffic
    if not w.site.gates:
        return []
    spans = open_spans(w, day) if w.site.hours is not None else \
        [(w.clock.at_local(day, 0), w.clock.at_local(day, 1440))]
    usable = [(o + 2 * HOUR, c - 3 * HOUR) for o, c in spans if c - o > 5 * HOUR]
    if not usable:
        return []
    factor = min(1.0, sum(c - o for o, c in spans) / (16 * HOUR))
    drivers = [p.id for p in w.site.people if p.kind == "driver"]
    rng.shuffle(drivers)
    out = []
    for direction, rate in (("inbound", t.inbound_per_day), ("outbound", t.outbound_per_day)):
        for _ in range(poisson(rng, rate * factor)):
            lo, hi = rng.choice(usable)
            start = rng.randrange(lo, hi)
            n = w.uid("")
            out.append(Truck(
                id=f"ap-{day.strftime('%m%d')}-{n}", direction=direction, gate=rng.choice(w.site.gates).id,
                carrier=rng.choice(CARRIERS), plate=plate(rng),
                driver=drivers.pop() if drivers else f"drv-x{rng.randrange(100, 1000)}",
                window=(start, start + 2 * HOUR), shipment=f"sh-{day.strftime('%m%d')}-{n}",
                trailer=f"TR-{rng.randrange(10000, 100000)}"))
    return out


def site_appointments(w: World) -> list[Truck]:
    """Appointments already in the site file: their trucks come too (no announcement needed)."""
    rng = w.rng("site-appointments")
    out = []
    for a in w.site.appointments:
        s, e = w.clock.of(a.window[0]), w.clock.of(a.window[1])
        if 0 <= s < w.clock.duration_ms:
            out.append(Truck(a.id, a.direction, a.gate, a.carrier, a.plate or plate(rng),
                             a.driver or f"drv-x{rng.randrange(100, 1000)}", (s, e),
                             a.shipment or f"sh-{a.id}", a.trailer or f"TR-{rng.randrange(10000, 100000)}",
                             announce=False))
    return out


def announce(w: World, tr: Truck, rng: random.Random, day_start: int) -> None:
    # the TMS publishes a day's appointments in its night batch, or hours ahead
    t = max(tr.window[0] - rng.randrange(2 * HOUR, 20 * HOUR), day_start + rng.randrange(2000, 30 * MINUTE))
    w.em.admin(t, "tms", "tms", "create_appointment", target=tr.id, attrs={
        "direction": tr.direction, "gate": tr.gate, "carrier": tr.carrier, "plate": tr.plate,
        "driver": tr.driver, "window": [w.clock.dt(tr.window[0]).isoformat(), w.clock.dt(tr.window[1]).isoformat()],
        "shipment": tr.shipment, "trailer": tr.trailer})


def arrival(w: World, tr: Truck, rng: random.Random) -> int:
    if rng.random() < w.scenario.model.benign.late_truck:
        w.stats["late_truck"] += 1
        return tr.window[1] + rng.randrange(15 * MINUTE, 120 * MINUTE)
    return tr.window[0] + rng.randrange(-20 * MINUTE, 50 * MINUTE)


def gate(w: World, tr: Truck, t: int, direction: str, *, seal: str | None = None) -> str:
    zone = next(g.zone for g in w.site.gates if g.id == tr.gate)
    shown = tr.shown
    plate_ = shown.get("plate", tr.plate)
    ev = w.em.gate(t, tr.gate, direction, plate=plate_, carrier=shown.get("carrier", tr.carrier),
                   driver=shown.get("driver", tr.driver), trailer=shown.get("trailer", tr.trailer), seal=seal,
                   appointment=shown.get("appointment", tr.id))
    for cam in w.layout.zone_cameras.get(zone, [])[:2]:
        if not w.down(cam, t):
            w.em.video(t + 2500, cam, "truck", "enter" if direction == "in" else "exit", zone=zone,
                       plate=plate_, score=0.93)
    w.stats["truck_" + direction] += 1
    tr.marks["gate_" + direction] = (t, ev)
    return ev


def inbound(w: World, tr: Truck, rng: random.Random) -> None:
    lay, inv = w.layout, w.inventory
    dock = lay.dock_in
    if dock is None:
        return
    t = arrival(w, tr, rng)
    gate(w, tr, t, "in")
    lo, hi = w.scenario.model.traffic.items_per_truck
    n = rng.randint(lo, hi)
    skus = [s.sku for s in w.site.skus]
    epcs: list[str] = []
    while len(epcs) < n and skus:
        epcs += inv.new_epcs(rng.choice(skus), min(n - len(epcs), rng.randint(6, 30)))
    t = portal_reads(w, rng, dock, epcs, t + rng.randrange(8 * MINUTE, 20 * MINUTE), "in")
    t += rng.randrange(MINUTE, 6 * MINUTE)
    w.em.stock(t, "receive", to=dock, epcs=epcs, shipment=tr.shipment)
    for e in epcs:
        inv.place(e, dock, t)
    gate(w, tr, t + rng.randrange(10 * MINUTE, 25 * MINUTE), "out")
    returns = next((z.id for z in w.site.zones if z.kind == "storage" and "return" in z.id), None)
    if returns and rng.random() < 0.15:
        t += rng.randrange(15 * MINUTE, 45 * MINUTE)
        w.em.stock(t, "move", **{"from": dock}, to=returns, epcs=epcs)
        for e in epcs:
            inv.leave(e, dock, t)
            inv.place(e, returns, t)
        fixed_reads(w, rng, returns, epcs, t)
        return
    putaway(w, epcs, dock, t + rng.randrange(20 * MINUTE, 80 * MINUTE), rng)


def putaway(w: World, epcs: list[str], src: str, t: int, rng: random.Random) -> None:
    inv, lay = w.inventory, w.layout
    by_dest: dict[str, list[str]] = {}
    for e in epcs:
        hv = inv.is_high_value(e) and lay.hv_zones
        zone = lay.hv_zones[0] if hv else (lay.storage or src)
        by_dest.setdefault(zone, []).append(e)
    for zone, items in by_dest.items():
        when = t
        if zone in lay.panel_of:
            while not (_is_open(w, when) and _is_open(w, when + HOUR)) and when < t + 3 * 86_400_000:
                when += 15 * MINUTE
        by_bin: dict[str, list[str]] = {}
        for e in items:
            by_bin.setdefault(bin_for(zone, inv.sku_of(e)), []).append(e)
        for loc, group in by_bin.items():
            when += rng.randrange(MINUTE, 4 * MINUTE)
            w.em.stock(when, "putaway", **{"from": src}, to=loc, epcs=group)
            for e in group:
                inv.leave(e, src, when)
                inv.place(e, loc, when)
            if zone in lay.hv_zones:
                fixed_reads(w, rng, zone, group, when)


def bin_for(zone: str, sku: str) -> str:
    ref = int(sku.rsplit(".", 1)[-1]) if sku.rsplit(".", 1)[-1].isdigit() else sum(map(ord, sku))
    return f"{zone}/{chr(65 + ref % 8)}-{ref % 40 + 1:02d}-{ref % 5 + 1}"


def outbound(w: World, tr: Truck, rng: random.Random) -> None:
    lay, inv = w.layout, w.inventory
    dock = lay.dock_out
    if dock is None or lay.storage is None:
        return
    pack = next((z.id for z in w.site.zones if z.id == "pack"), None) or dock
    traffic = w.scenario.model.traffic
    lo, hi = traffic.items_per_truck
    # outbound volume follows inbound volume, so stock neither piles up nor runs dry
    balance = min(1.0, traffic.inbound_per_day / traffic.outbound_per_day) if traffic.outbound_per_day else 1.0
    n = max(1, int(rng.randint(lo, hi) * balance))
    t_pick = tr.window[0] - rng.randrange(60 * MINUTE, 150 * MINUTE)
    order = f"ord-{tr.shipment.removeprefix('sh-')}"
    epcs: list[str] = []
    sources = [(lay.storage, n)]
    if lay.hv_zones and _is_open(w, t_pick) and _is_open(w, t_pick + HOUR) and rng.random() < 0.4:
        sources.append((lay.hv_zones[0], max(1, n // 8)))
    t = t_pick
    for zone, k in sources:
        got = inv.claim(zone, t, k, rng)
        by_bin: dict[str, list[str]] = {}
        for e in got:
            by_bin.setdefault(inv.location(e, zone), []).append(e)
        for loc, group in by_bin.items():
            t += rng.randrange(40_000, 150_000)
            w.em.stock(t, "pick", **{"from": loc}, to=pack, epcs=group, order=order)
            for e in group:
                inv.leave(e, zone, t)
        epcs += got
    if not epcs:
        return
    fixed_reads(w, rng, pack, epcs, t + rng.randrange(5 * MINUTE, 15 * MINUTE))
    t_arr = max(arrival(w, tr, rng), t + 20 * MINUTE)
    gate(w, tr, t_arr, "in")
    t = t_arr + rng.randrange(8 * MINUTE, 20 * MINUTE)
    if pack != dock:
        w.em.stock(t, "move", **{"from": pack}, to=dock, epcs=epcs)
    t = portal_reads(w, rng, dock, epcs, t + rng.randrange(2 * MINUTE, 6 * MINUTE), "out")
    seal = f"SL{rng.randrange(1_000_000, 10_000_000)}"
    t += rng.randrange(2 * MINUTE, 8 * MINUTE)
    ship = w.em.stock(t, "ship", **{"from": dock}, epcs=epcs, shipment=tr.shipment, seal=seal,
                      trailer=tr.trailer, order=order)
    tr.marks["ship"] = (t, ship)
    tr.epcs = epcs
    gate(w, tr, t + rng.randrange(8 * MINUTE, 25 * MINUTE), "out", seal=tr.exit_seal or seal)


def trucks_day(w: World, day: date, extra: list[Truck] | None = None) -> None:
    rng = w.rng("truck-run", day)
    for tr in plan_trucks(w, day) + (extra or []):
        if tr.announce:
            announce(w, tr, rng, w.clock.day_start(day))
        if tr.direction == "inbound":
            inbound(w, tr, rng)
        else:
            outbound(w, tr, rng)
