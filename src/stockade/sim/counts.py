"""Cycle counts: an RFID sweep of a zone, then the WMS ``count`` of what was found.

    >>> cycle_counts(world, date(2026, 11, 24))     # doctest: +SKIP

High-value zones are counted an hour after opening, other storage zones at
midday, on days the site opens. The sweep reads each tag present (some reads
are missed); the WMS count lists every EPC found after the operator re-scans
the gaps, so a count shows exactly what is physically there.
"""

from __future__ import annotations

from datetime import date

from stockade.sim.clock import HOUR, MINUTE
from stockade.sim.devices import open_spans
from stockade.sim.world import World


def cycle_counts(w: World, day: date) -> None:
    rng = w.rng("counts", day)
    spans = open_spans(w, day)
    if w.site.hours is None:
        spans = [(w.clock.at_local(day, 0), w.clock.at_local(day, 1440))]
    if not spans:
        return
    open_t = spans[0][0]
    b = w.scenario.model.benign
    for z in w.site.zones:
        if z.kind == "high_value":
            t = open_t + HOUR + rng.randrange(20 * MINUTE)
        elif z.kind == "storage":
            t = open_t + 6 * HOUR + rng.randrange(60 * MINUTE)
        else:
            continue
        if not any(s <= t < e - 30 * MINUTE for s, e in spans):
            continue
        present = w.inventory.present(z.id, t)
        readers = w.layout.fixed_readers.get(z.id, [])
        end = t
        for epc in present:
            end += rng.randrange(80, 400)
            if readers and not w.down(readers[0], end) and rng.random() >= b.missed_read:
                w.em.tag(end, readers[0], epc, antenna=rng.randrange(1, 5), rssi=-float(rng.randrange(45, 70)))
        end += rng.randrange(MINUTE, 5 * MINUTE)
        found = w.inventory.present(z.id, end)
        ev = w.em.stock(end, "count", to=z.id, epcs=found)
        w.counts.append((end, z.id, ev, frozenset(found)))
        w.stats["count"] += 1
