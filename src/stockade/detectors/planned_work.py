"""Work that was announced: device outages (maintenance) and drills.

STK-DEV-001 asks this before it counts a device as down. An outage is planned when

- the site file's ``planned:`` lists a ``maintenance`` window open at that moment
  that names the device (or no devices: all of them) — ``site/planned.py``; or
- an ``admin`` ``change_config`` or ``disable_device`` naming the device (its
  ``target``) was made inside a change window, within ``announce_s`` before.

An announced outage is no blinding: the device's own going down raises nothing.
Anything else inside the window (a door forced, goods leaving, a device the
announcement does not name going down) is still every other detector's.

    >>> announced = {}
    >>> note(announced, state, admin_event)          # doctest: +SKIP
    >>> planned(announced, state, "C-DOCK-1", ts)    # doctest: +SKIP
    'change_config by it-01 at 10:02'

During a ``drill`` window of the site file (``in_drill``), doors held or pushed
open, and crowds through doors, are the drill (STK-DOR-001, STK-DOR-002,
STK-VID-001, STK-ACC-004 lower them to ``info``), except at high-value zones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from stockade.detectors.base import clock
from stockade.engine.state import SiteState
from stockade.events import Admin
from stockade.events.model import Severity
from stockade.site.calendar import in_change_window
from stockade.site.planned import covering

ANNOUNCING = frozenset({"change_config", "disable_device"})
Announced = dict[str, tuple[int, str]]  # device -> (ms of the announcement, its words)


def note(announced: Announced, state: SiteState, event: Admin, keep_ms: int) -> None:
    """Remember a change made in a change window that may take a device down; forget stale ones."""
    for device in [d for d, (ms, _) in announced.items() if state.ms - ms > keep_ms]:
        del announced[device]
    if event.action not in ANNOUNCING or not event.target or not in_change_window(state.site, event.ts):
        return
    if event.target in state.site.device_ids:
        announced[event.target] = (state.ms, f"{event.action} by {event.actor} at {clock(state, event.ts)}")


def planned(announced: Announced, state: SiteState, device: str, ts: datetime, keep_ms: int) -> str | None:
    """Why the device's outage at ``ts`` is planned, or None when nothing announced it."""
    work = covering(state.site, "maintenance", ts, device=device)
    if work is not None:
        return f"maintenance window {work.id}"
    hit = announced.get(device)
    if hit is not None and 0 <= state.ms - hit[0] <= keep_ms:
        return hit[1]
    return None


def in_drill(state: SiteState, ts: datetime, zones: Iterable[str], severity: Severity,
             summary: str) -> tuple[Severity, str]:
    """During an announced drill, doors held, pushed open or crossed in crowds are the drill: ``info``.

    High-value zones are never covered: a cage opened during an evacuation is still worth a look.
    """
    zones = tuple(zones)
    if any(z in state.high_value_zones for z in zones):
        return severity, summary
    work = covering(state.site, "drill", ts, zones=zones)
    if work is None:
        return severity, summary
    return "info", f"During drill {work.id}: {summary}"
