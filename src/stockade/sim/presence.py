"""Person-hours on site, worked out from access events alone (so any event file can be scored).

    >>> spans = presence_spans(events)          # doctest: +SKIP
    >>> sum((e - s).total_seconds() for s, e in spans) / 3600   # doctest: +SKIP

A person's visit runs from their first granted access to their last; a gap of
more than five hours between grants starts a new visit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from stockade.events import Access, Envelope

GAP = timedelta(hours=5)


def presence_spans(events: Iterable[Envelope]) -> list[tuple[datetime, datetime]]:
    times: dict[str, list[datetime]] = {}
    for ev in events:
        if isinstance(ev, Access) and ev.result == "granted" and ev.subject:
            times.setdefault(ev.subject, []).append(ev.ts)
    spans: list[tuple[datetime, datetime]] = []
    for person in sorted(times):
        ts = sorted(times[person])
        start = prev = ts[0]
        for t in ts[1:]:
            if t - prev > GAP:
                spans.append((start, prev))
                start = t
            prev = t
        spans.append((start, prev))
    return spans
