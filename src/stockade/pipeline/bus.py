"""The bus between ingest and the engine.

Ingest publishes each event after it is committed, with its site sequence
number; the engine loop consumes them in that order. The embedded deployment
uses :class:`InProcessBus`; a cluster fills the same protocol with NATS
JetStream (``stockade.connectors.nats``).

The bus holds at most ``max_events`` events. Past that, a site's new batches
are not queued: everything published was committed first, so the engine
reads the site's log from the store instead, from where the queue stopped,
until it has caught up, and the bus takes the site's batches again. Memory
stays bounded however far detection falls behind ingest, and nothing is
skipped or applied twice (issue 11: at 5M events an unbounded queue held
855,000 events and 950 MiB).

    >>> bus = InProcessBus()
    >>> bus.publish("dc-demo", [(1, event)], [entry])     # doctest: +SKIP
    >>> bus.get(timeout=0.1)                               # doctest: +SKIP
    Delivery(site='dc-demo', events=[(1, ...)], entries=[b'{...}'])
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from stockade.events import Envelope


@dataclass(frozen=True, slots=True)
class Delivery:
    """One committed batch of a site: (site sequence number, event) pairs in order, and the
    events' log entries (what a worker in another process decodes)."""

    site: str
    events: Sequence[tuple[int, Envelope]]
    entries: Sequence[bytes]


class Bus(Protocol):
    def publish(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> None:
        """Hand committed events, in site order, to the engine."""
        ...

    def get(self, timeout: float) -> Delivery | None:
        """The next delivery, or None when nothing arrived within ``timeout`` seconds."""
        ...

    def depth(self) -> int:
        """Batches waiting; exported as a metric."""
        ...


class StoredLike(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def entry(self) -> bytes: ...
    @property
    def event(self) -> Envelope: ...


class CommittedLog(Protocol):
    """What a bus that overflowed reads instead: the store's committed log."""

    def read(self, site: str, after_seq: int = 0, batch: int = 10_000) -> Iterator[StoredLike]: ...
    def last_seq(self, site: str) -> int: ...


MAX_EVENTS = 100_000
"""Events the in-process bus holds before the engine reads from the log instead (a few hundred MiB)."""
CATCH_UP_BATCH = 2_000


class InProcessBus:
    """A FIFO queue: one process owns every site, so one queue keeps each site's order. Bounded when
    it is given the ``log`` to read from instead (the node's store). One consumer takes from it."""

    def __init__(self, log: CommittedLog | None = None, max_events: int = MAX_EVENTS) -> None:
        self._log = log
        self._max = max_events if log is not None else 0
        self._queue: deque[Delivery] = deque()
        self._held = 0  # events in the queue
        self._behind: dict[str, int] = {}  # site -> the last position delivered; its log is read from there
        self._cond = threading.Condition()

    def publish(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> None:
        if not events:
            return
        with self._cond:
            if site in self._behind:
                return  # committed: the catch-up reads it from the log
            if self._max and self._held + len(events) > self._max:
                self._behind[site] = self._last_queued(site, events[0][0] - 1)
                self._cond.notify()
                return
            self._queue.append(Delivery(site, events, entries))
            self._held += len(events)
            self._cond.notify()

    def _last_queued(self, site: str, before: int) -> int:
        """The last position of ``site`` the queue will deliver: the catch-up starts after it."""
        return next((d.events[-1][0] for d in reversed(self._queue) if d.site == site), before)

    def get(self, timeout: float) -> Delivery | None:
        with self._cond:
            if not self._queue and not self._behind:
                self._cond.wait(timeout)
            if self._queue:
                delivery = self._queue.popleft()
                self._held -= len(delivery.events)
                return delivery
            site = next(iter(self._behind), None)
        return None if site is None else self._catch_up(site)

    def _catch_up(self, site: str) -> Delivery | None:
        """The next stretch of a site's log after what was delivered; once none is left, the site's
        batches are queued again (checked under the lock publish takes: a batch committed before the
        check is read here, one published after it is queued)."""
        log = self._log
        if log is None:  # only a bus with a log overflows
            return None
        while True:
            with self._cond:
                after = self._behind.get(site)
                if after is None or any(d.site == site for d in self._queue):
                    return None  # the queue still delivers the site's earlier batches first
                if log.last_seq(site) <= after:
                    del self._behind[site]
                    return None
            rows = []
            for row in log.read(site, after, batch=CATCH_UP_BATCH):
                rows.append(row)
                if len(rows) == CATCH_UP_BATCH:
                    break
            if rows:
                with self._cond:  # to the back: each site that fell behind takes its turn
                    del self._behind[site]
                    self._behind[site] = rows[-1].seq
                return Delivery(site, [(r.seq, r.event) for r in rows], [r.entry for r in rows])

    def depth(self) -> int:
        """Batches waiting, and a site whose log is being read counts as one more."""
        with self._cond:
            return len(self._queue) + len(self._behind)
