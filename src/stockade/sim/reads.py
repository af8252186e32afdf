"""RFID reads as portals and fixed readers report them: missed reads and stray cross-reads included.

    >>> portal_reads(world, rng, "dock-out", epcs, t, "out")       # doctest: +SKIP

A portal read carries a direction (``in`` into the site, ``out`` leaving);
each tag is read once by one portal, sometimes not at all (a missed read), and
sometimes also by the neighbouring portal with a weak signal and no direction
(a stray cross-read). Both rates come from the scenario's benign section.
"""

from __future__ import annotations

import random

from stockade.sim.world import World


def portal_reads(w: World, rng: random.Random, zone: str, epcs: list[str], t: int, direction: str,
                 *, gap_ms: tuple[int, int] = (800, 3000), readers: list[str] | None = None) -> int:
    """Read ``epcs`` through ``zone``'s portals from ``t``; returns the time after the last read."""
    portals = readers or w.layout.portals.get(zone, [])
    if not portals:
        return t
    b = w.scenario.model.benign
    reader = rng.choice(portals)
    for epc in epcs:
        t += rng.randrange(*gap_ms)
        w.stats["portal_read"] += 1
        if w.down(reader, t):
            continue
        if rng.random() < b.missed_read:
            w.stats["missed_read"] += 1
            continue
        w.em.tag(t, reader, epc, antenna=rng.randrange(1, 5), rssi=-float(rng.randrange(42, 62)),
                 direction=direction)
        if len(portals) > 1 and rng.random() < b.misread:
            stray = portals[(portals.index(reader) + 1) % len(portals)]
            w.em.tag(t + rng.randrange(50, 900), stray, epc, antenna=rng.randrange(1, 5),
                     rssi=-float(rng.randrange(68, 78)))
            w.stats["misread"] += 1
    return t


def fixed_reads(w: World, rng: random.Random, zone: str, epcs: list[str], t: int,
                *, gap_ms: tuple[int, int] = (150, 900)) -> int:
    """A zone's fixed reader sees ``epcs`` (no direction): put-away, staging, sweeps."""
    readers = w.layout.fixed_readers.get(zone, [])
    if not readers:
        return t
    reader = readers[0]
    for epc in epcs:
        t += rng.randrange(*gap_ms)
        if not w.down(reader, t):
            w.em.tag(t, reader, epc, antenna=rng.randrange(1, 5), rssi=-float(rng.randrange(45, 66)))
    return t
