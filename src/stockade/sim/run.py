"""Run a scenario: the day-by-day loop that drives every generator and writes the events.

    >>> from stockade.sim.run import simulate, FileSink
    >>> with open("events.ndjson", "wb") as f:                     # doctest: +SKIP
    ...     result = simulate(load_scenario("examples/scenarios/quiet-week.yaml"), FileSink(f))
    >>> result.events, len(result.labels)                          # doctest: +SKIP
    (312345, 0)

Each local day: camera reboots and panel arming, honest staff and vendors,
trucks and goods, write-offs, the attacks that start that day, cycle counts,
heartbeats; then everything before the next midnight is written in event-time
order. Nothing generated later can fall before that midnight, so memory holds
about one day of events.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

import msgspec

from stockade.events import Envelope
from stockade.sim.attacks import ATTACKS
from stockade.sim.attacks.base import Attack
from stockade.sim.clock import DAY
from stockade.sim.counts import cycle_counts
from stockade.sim.devices import camera_reboots, heartbeats, panels, startup
from stockade.sim.emit import Sink
from stockade.sim.labels import Label
from stockade.sim.lookalikes import plan_lookalikes, planned_site, run_lookalikes
from stockade.sim.scenario import Scenario
from stockade.sim.staff import plan_new_hires, staff_day, vendor_day, writeoffs
from stockade.sim.trucks import Truck, bin_for, site_appointments, trucks_day
from stockade.sim.world import World
from stockade.site import SiteConfig, parse_site


class FileSink:
    """NDJSON to an open binary file."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self._enc = msgspec.json.Encoder()

    def write(self, batch: list[Envelope]) -> None:
        self.out.write(self._enc.encode_lines(batch))


class ListSink:
    """Events kept in memory (for eval and tests)."""

    def __init__(self) -> None:
        self.events: list[Envelope] = []

    def write(self, batch: list[Envelope]) -> None:
        self.events.extend(batch)


@dataclass
class SimResult:
    events: int
    labels: list[Label]
    stats: Counter[str]
    site: SiteConfig
    public_keys: dict[str, str]


def staffed_site(scenario: Scenario) -> SiteConfig:
    """The site with its employees cloned up to the scenario's staffing (clones get new ids)."""
    site, st = scenario.site, scenario.model.staffing
    staff = [p for p in site.people if p.kind == "employee" and p.shift is not None]
    target = st.people if st.people is not None else round(len(site.people) + len(staff) * (st.scale - 1))
    extra = target - len(site.people)
    if extra <= 0 or not staff:
        return site
    data = site.model_dump(mode="json", exclude_none=True)
    for k in range(extra):
        p = staff[k % len(staff)]
        n = k // len(staff) + 2
        clone = p.model_dump(mode="json", exclude_none=True)
        clone["id"] = f"{p.id}-{n}"
        clone["credentials"] = [f"{c}-{n}" for c in p.credentials]
        data["people"].append(clone)
    return parse_site(data, f"{scenario.path} (staffed)")


def opening_balances(w: World) -> None:
    lay, inv = w.layout, w.inventory
    n = w.scenario.model.traffic.opening_items_per_sku
    for k, sku in enumerate(w.site.skus):
        zone = lay.hv_zones[0] if sku.high_value and lay.hv_zones else lay.storage
        if zone is None:
            return
        loc = bin_for(zone, sku.sku)
        epcs = inv.new_epcs(sku.sku, n)
        for e in epcs:
            inv.place(e, loc, 0)
        w.em.stock(k, "receive", to=loc, sku=sku.sku, qty=n, epcs=epcs, reason="opening_balance")


def simulate(scenario: Scenario, sink: Sink) -> SimResult:
    site = planned_site(scenario, staffed_site(scenario))
    w = World.build(scenario, site, sink)
    attacks: list[Attack] = [ATTACKS[s.type](s, i, w) for i, s in enumerate(scenario.attacks)]
    opening_balances(w)
    startup(w)
    plan_new_hires(w)
    for a in attacks:
        a.plan(w)
    plan_lookalikes(w)
    extra: dict[int, list[Truck]] = {}
    for tr in site_appointments(w) + [t for a in attacks for t in getattr(a, "trucks", [])]:
        extra.setdefault(tr.window[0] // DAY, []).append(tr)
    end = w.clock.duration_ms
    for day in w.clock.days():
        ds, de = w.clock.day_start(day), w.clock.day_start(day + timedelta(days=1))
        lo, hi = max(ds, 0), min(de, end)
        camera_reboots(w, day, lo, hi)
        panels(w, day)
        staff_day(w, day)
        vendor_day(w, day)
        mine = [tr for k in range(ds // DAY - 1, de // DAY + 1) for tr in extra.get(k, [])
                if ds <= tr.window[0] < de]
        trucks_day(w, day, mine)
        writeoffs(w, day)
        run_lookalikes(w, ds, de)
        for a in attacks:
            if ds <= a.emit_from() < de or (day == w.clock.days()[0] and a.emit_from() < ds):
                a.emit(w)
        cycle_counts(w, day)
        heartbeats(w, lo, hi)
        w.em.flush(until=de)
        w.inventory.prune(ds - DAY)
    w.em.flush()
    labels = [a.label(w) for a in attacks]
    keys = w.keys.public_keys() if w.keys is not None and w.em.signed is not None else {}
    return SimResult(w.em.written, labels, w.stats, site, keys)
