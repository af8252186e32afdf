"""The node's executor: the response :class:`~stockade.response.execute.Carrier` on a thread of its own.

Decisions arrive on a queue (the planner runs inside commits; carrying an
intent out writes to the log, so it cannot run there). :meth:`Executor.recover`
queues, once, every intent of an open incident the log shows ``planned`` and
nothing after: the node was killed between logging and sending it. They are
carried out on the lanes once the executor starts, not in the caller's thread:
an evidence bundle takes seconds on a large site, and the node's start must not
wait for it before doors are answered (their facts, lockdowns included, are
already restored from the log).

    >>> executor = Executor(carrier, store)      # doctest: +SKIP
    >>> executor.start(); executor.submit(decisions)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator

from stockade.events.model import Action
from stockade.incidents.model import IncidentState
from stockade.response.execute import Carrier
from stockade.response.intents import Decision, Evidence
from stockade.response.logbook import planned_intent
from stockade.store import IncidentCursor, IncidentQuery, Store
from stockade.store.incidents import page

log = logging.getLogger(__name__)


class Executor:
    """Two lanes, a thread each: evidence bundles (seconds on a busy site) never delay the next
    incident's door, hold or notification."""

    def __init__(self, carrier: Carrier, store: Store) -> None:
        self.carrier = carrier
        self._store = store
        self._lanes: dict[str, queue.Queue[Decision | None]] = {"fast": queue.Queue(), "evidence": queue.Queue()}
        self._threads: list[threading.Thread] = []

    def submit(self, decisions: Iterable[Decision]) -> None:
        for d in decisions:
            self._lanes["evidence" if isinstance(d, Evidence) else "fast"].put(d)

    def start(self) -> None:
        for name, lane in self._lanes.items():
            thread = threading.Thread(target=self._run, args=(lane,), name=f"stockade-executor-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Finish the intent in hand; what is still queued is dropped here and comes back at the next
        start: the planner rebuilds what was not logged yet from the log, and :meth:`recover` queues
        again what was logged ``planned`` and not sent."""
        for lane in self._lanes.values():
            while True:
                try:
                    lane.get_nowait()
                    lane.task_done()
                except queue.Empty:
                    break
            lane.put(None)
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []

    def drain(self) -> None:
        """Carry out everything queued now, in this thread (tests and one-shot commands)."""
        for lane in self._lanes.values():
            while True:
                try:
                    d = lane.get_nowait()
                except queue.Empty:
                    break
                try:
                    if d is not None:
                        self._one(d)
                finally:
                    lane.task_done()

    def idle(self) -> bool:
        return all(lane.unfinished_tasks == 0 for lane in self._lanes.values())

    def _run(self, lane: queue.Queue[Decision | None]) -> None:
        while True:
            d = lane.get()
            try:
                if d is None:
                    return
                self._one(d)
            finally:
                lane.task_done()

    def _one(self, d: Decision) -> None:
        try:
            self.carrier.carry_out(d)
        except Exception:  # one bad intent must not stop every other incident's response
            log.exception("executor failed on %s", getattr(d, "id", d))

    def recover(self, site: str) -> int:
        """Queue each intent of an open incident logged ``planned`` and nothing after; how many.
        The carrier sends each once whoever asks again (it reads the log first)."""
        resent = 0
        for state in open_incidents(self._store, site):
            for step in state.steps:
                if step.status != "planned":
                    continue
                row = self._store.get(site, f"{step.intent}:planned")
                event = row.event if row is not None else None
                intent = planned_intent(event) if isinstance(event, Action) else None
                if intent is not None:
                    self.submit([intent])
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
