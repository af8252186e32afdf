"""Keep Stockade's own outputs within one log entry.

A C2SP tlog-tiles entry holds at most 65,535 bytes. An alert about a cycle
count, or an incident of a large theft, can name thousands of EPCs; such an
output keeps its id, kind, severity and summary, and its longest lists are cut
(the largest first, halving) until it fits, with the original lengths recorded
in ``attrs["truncated"]`` so a reader knows the list is partial and how long it
was. The full lists remain derivable by replaying the log.

    >>> small = fit(alert, limit=65_535)       # doctest: +SKIP
    >>> small.attrs["truncated"]                # doctest: +SKIP
    {'entities.epcs': 4791}
"""

from __future__ import annotations

import msgspec

from stockade.events.canonical import canonical_event
from stockade.events.model import ENTITY_FIELDS, Alert, Entities, Envelope, Incident


def _lists(event: Alert | Incident) -> dict[str, tuple[str, ...]]:
    found = {f"entities.{name}": getattr(event.entities, name) for name in ENTITY_FIELDS}
    found["evidence"] = event.evidence
    if isinstance(event, Incident):
        found["alerts"] = event.alerts
    return found


def _with(event: Alert | Incident, lists: dict[str, tuple[str, ...]], truncated: dict[str, int]) -> Envelope:
    entities = Entities(**{name: lists[f"entities.{name}"] for name in ENTITY_FIELDS})
    changes: dict[str, object] = {"entities": entities, "evidence": lists["evidence"],
                                  "attrs": {**(event.attrs or {}), "truncated": dict(truncated)}}
    if isinstance(event, Incident):
        changes["alerts"] = lists["alerts"]
    return msgspec.structs.replace(event, **changes)


def fit(event: Envelope, limit: int) -> Envelope:
    """``event`` itself when its entry fits in ``limit`` bytes, else an alert or incident with its
    longest lists cut; any other kind is returned unchanged (the caller refuses it)."""
    if len(canonical_event(event)) <= limit or not isinstance(event, Alert | Incident):
        return event
    lists = _lists(event)
    truncated: dict[str, int] = {}
    candidate: Envelope = event
    while len(canonical_event(candidate)) > limit:
        name = max(lists, key=lambda k: len(lists[k]))
        if len(lists[name]) <= 1:
            break
        truncated.setdefault(name, len(lists[name]))
        lists[name] = lists[name][: len(lists[name]) // 2]
        candidate = _with(event, lists, truncated)
    return candidate
