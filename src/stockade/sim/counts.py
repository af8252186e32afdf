"""Cycle counts: an RFID sweep of a zone, then the WMS ``count`` of what was found, bin by bin.

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
        for location, found in by_location(w, z.id, w.inventory.present(z.id, end)).items():
            ev = w.em.stock(end, "count", to=location, epcs=found)
            w.counts.append((end, location, ev, frozenset(found)))
            w.stats["count"] += 1
            end += rng.randrange(5, 40)


def by_location(w: World, zone: str, found: list[str]) -> dict[str, list[str]]:
    """What was found, per bin: a WMS counts bin by bin, and a whole zone's tags would not fit one
    event (a log entry holds at most 64 KiB). Loose items beside bins leave only a whole-zone count
    consistent with what is expected."""
    groups: dict[str, list[str]] = {}
    for epc in found:
        groups.setdefault(w.inventory.location(epc, zone), []).append(epc)
    if zone in groups and len(groups) > 1:
        return {zone: found}
    return groups
