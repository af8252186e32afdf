"""Announced work: which maintenance window or drill, if any, covers a moment and a place.

    >>> covering(site, "maintenance", ts, device="C-DOCK-1")   # doctest: +SKIP
    PlannedWork(id='mw-1', kind='maintenance', ...)

A window with no devices covers every device; one with no zones covers the
whole site. The site file says what is planned (``planned:``); everything the
events already say (a ``change_config`` inside a change window) is the
detectors' to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from stockade.site.config import PlannedWork, SiteConfig


def covering(site: SiteConfig, kind: Literal["maintenance", "drill"], ts: datetime, *,
             device: str | None = None, zones: Iterable[str] = ()) -> PlannedWork | None:
    """The first announced window of ``kind`` open at ``ts`` that names the device (or any) and a zone (or all)."""
    wanted = set(zones)
    for work in site.planned:
        if work.kind != kind or not work.window[0] <= ts <= work.window[1]:
            continue
        if device is not None and work.devices and device not in work.devices:
            continue
        if wanted and work.zones and not wanted & set(work.zones):
            continue
        return work
    return None
