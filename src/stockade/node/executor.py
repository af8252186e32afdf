"""The node's executor: the response :class:`~stockade.response.execute.Carrier` on a thread of its own.

Decisions arrive on a queue (the planner runs inside commits; carrying an
intent out writes to the log, so it cannot run there). :meth:`Executor.recover`
sends, once, every intent of an open incident the log shows ``planned`` and
nothing after: the node was killed between logging and sending it.

    >>> executor = Executor(carrier, store)      # doctest: +SKIP
    >>> executor.start(); executor.submit(decisions)
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator

from stockade.events.model import Action
from stockade.incidents.model import IncidentState
from stockade.response.execute import Carrier
from stockade.response.intents import Decision
from stockade.response.logbook import planned_intent
from stockade.store import IncidentCursor, IncidentQuery, Store
from stockade.store.incidents import page

log = logging.getLogger(__name__)


class Executor:
    def __init__(self, carrier: Carrier, store: Store) -> None:
        self.carrier = carrier
        self._store = store
        self._queue: queue.Queue[Decision | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, decisions: Iterable[Decision]) -> None:
        for d in decisions:
            self._queue.put(d)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="stockade-executor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def drain(self) -> None:
        """Carry out everything queued now, in this thread (tests and one-shot commands)."""
        while True:
            try:
                d = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                if d is not None:
                    self._one(d)
            finally:
                self._queue.task_done()

    def idle(self) -> bool:
        return self._queue.unfinished_tasks == 0

    def _run(self) -> None:
        while True:
            d = self._queue.get()
            try:
                if d is None:
                    return
                self._one(d)
            finally:
                self._queue.task_done()

    def _one(self, d: Decision) -> None:
        try:
            self.carrier.carry_out(d)
        except Exception:  # noqa: BLE001 - one bad intent must not stop every other incident's response
            log.exception("executor failed on %s", getattr(d, "id", d))

    def recover(self, site: str) -> int:
        """Send, once, each intent of an open incident logged ``planned`` and nothing after."""
        resent = 0
        for state in open_incidents(self._store, site):
            for step in state.steps:
                if step.status != "planned":
                    continue
                row = self._store.get(site, f"{step.intent}:planned")
                event = row.event if row is not None else None
                intent = planned_intent(event) if isinstance(event, Action) else None
                if intent is not None:
                    self.carrier.carry_out(intent)
                    resent += 1
        return resent


def open_incidents(store: Store, site: str) -> Iterator[IncidentState]:
    """Every incident of a site not closed, newest first, a page at a time."""
    cursor: IncidentCursor | None = None
    while True:
        got = page(store, IncidentQuery(site, None, cursor, 200))
        yield from (s for s in got.items if s.status != "closed")
        if got.next_cursor is None:
            return
        cursor = IncidentCursor.decode(got.next_cursor)
