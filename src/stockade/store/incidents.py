"""The incident projection: each incident's current state, kept in the store, updated on commit.

Stockade's own ``incident`` and ``action`` events go through
:meth:`IncidentProjection.observe` as they are committed (the node calls it
under the site's sequencing lock, so changes are folded in log order);
:meth:`IncidentProjection.catch_up` replays the log's tail at start, after the
last sequence number the projection recorded, so a crash between a commit and
its projection loses nothing. The fold is :func:`stockade.incidents.fold.apply`.

    >>> projection = IncidentProjection(store)                   # doctest: +SKIP
    >>> projection.catch_up("dc-demo")                            # doctest: +SKIP
    >>> projection.get("dc-demo", "inc-14affcce1b718d95").status  # doctest: +SKIP
    'acknowledged'
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from stockade.events import Envelope
from stockade.incidents.fold import apply, incident_of
from stockade.incidents.model import IncidentState
from stockade.store.base import EventQuery, IncidentCursor, IncidentQuery, Store

KINDS = ("incident", "action")
_BATCH = 2_000


@dataclass(frozen=True, slots=True)
class IncidentPage:
    items: list[IncidentState]
    next_cursor: str | None


def page(store: Store, q: IncidentQuery) -> IncidentPage:
    """One page, newest opened first; ``next_cursor`` is None only when nothing follows."""
    rows = store.list_incidents(IncidentQuery(q.site, q.status, q.after, q.limit + 1))
    more = len(rows) > q.limit
    items = rows[: q.limit]
    return IncidentPage(items, IncidentCursor.after(items[-1]).encode() if more and items else None)


@dataclass(frozen=True, slots=True)
class Changed:
    before: IncidentState | None
    after: IncidentState


class IncidentProjection:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()

    def get(self, site: str, incident: str) -> IncidentState | None:
        return self.store.get_incident(site, incident)

    def observe(self, site: str, events: Sequence[tuple[int, Envelope]]) -> list[Changed]:
        """Fold committed events into the projection; return the incidents that changed."""
        relevant = [(seq, e) for seq, e in events if e.kind in KINDS]
        if not relevant:
            return []
        with self._lock:
            return self._fold(site, relevant)

    def _fold(self, site: str, events: Sequence[tuple[int, Envelope]]) -> list[Changed]:
        changed: dict[str, IncidentState] = {}
        before_all: dict[str, IncidentState | None] = {}
        last = 0
        for seq, event in events:
            last = max(last, seq)
            key = incident_of(event)
            if key is None:
                continue
            if key not in before_all:
                before_all[key] = self.store.get_incident(site, key)
            before = changed.get(key) or before_all[key]
            if before is not None and seq <= before.last_seq:
                continue  # already folded (replay after a crash)
            after = apply(before, event, seq)
            if after is not None and after is not before:
                changed[key] = after
        self.store.put_incidents(site, list(changed.values()), last)
        return [Changed(before_all[k], v) for k, v in changed.items()]

    def catch_up(self, site: str) -> int:
        """Fold the log's incident and action events after the projection's last sequence number."""
        done = 0
        after = self.store.incidents_seq(site)
        while True:
            rows = self.store.query(EventQuery(site, kinds=KINDS, after_seq=after, limit=_BATCH))
            if not rows:
                return done
            with self._lock:
                self._fold(site, [(r.seq, r.event) for r in rows])
            done += len(rows)
            after = rows[-1].seq
