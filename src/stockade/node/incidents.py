"""Analysts' changes to incidents: checked against the projection, then logged by the node.

:class:`IncidentDesk` is what the API's incident routes call. A change is
checked by :func:`stockade.incidents.lifecycle.check` against the incident's
current state (its ``version`` too: optimistic concurrency), then written to
the site's log as an ``action`` event from ``stockade:incidents`` with the
authenticated principal as ``actor``. The commit folds it into the projection
before :meth:`IncidentDesk.change` returns, so the answer is the new state.

    >>> desk.change("dc-demo", "inc-1", Transition("acknowledged"), actor="k-ann", version=3)  # doctest: +SKIP
    IncidentState(..., status='acknowledged', version=4, ...)
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from stockade.events import Envelope
from stockade.incidents.changes import change_event
from stockade.incidents.lifecycle import Change, Refusal, check
from stockade.incidents.model import IncidentState
from stockade.store.incidents import Changed, IncidentProjection

Writer = Callable[[str, Sequence[Envelope]], None]


class IncidentDesk:
    def __init__(self, projection: IncidentProjection, write: Writer,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.projection = projection
        self._write = write
        self.clock = clock  # the wall clock; event time in the demo
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, site: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(site, threading.Lock())

    def change(self, site: str, incident: str, change: Change, *, actor: str, version: int | None = None,
               roles: Collection[str] | None = None) -> IncidentState | Refusal:
        """``roles``: the actor's (its API key's), checked against the roles an approval needs."""
        with self._lock(site):
            state = self.projection.get(site, incident)
            if state is None:
                return Refusal("not_found", f"no incident {incident!r} in site {site!r}")
            if (refusal := check(state, change, actor, version, roles)) is not None:
                return refusal
            at = max(self.clock(), state.updated or state.opened)
            event = change_event(site, incident, change, actor=actor, at=at,
                                 event_id=f"act-chg-{uuid.uuid4().hex}", version=state.version, roles=roles or ())
            self._write(site, [event])
            after = self.projection.get(site, incident)
            if after is None:  # the commit folds the change into the projection before it returns
                raise LookupError(f"incident {incident!r} of {site!r} vanished from the projection")
            return after


def milestones(changed: Changed) -> dict[str, float]:
    """The SLA times this change reached for the first time: measure -> seconds."""
    out: dict[str, float] = {}
    after, before = changed.after, changed.before
    sla, prior = after.sla(), before.sla() if before is not None else None
    if before is None:
        out["detect"] = sla.time_to_detect_s
    for name, now, then in (
        ("acknowledge", sla.time_to_acknowledge_s, prior and prior.time_to_acknowledge_s),
        ("contain", sla.time_to_contain_s, prior and prior.time_to_contain_s),
        ("resolve", sla.time_to_resolve_s, prior and prior.time_to_resolve_s),
    ):
        if now is not None and then is None:
            out[name] = now
    return out
