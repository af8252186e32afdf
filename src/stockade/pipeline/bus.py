"""The bus between ingest and the engine.

Ingest publishes each event after it is committed, with its site sequence
number; the engine loop consumes them in that order. The embedded deployment
uses :class:`InProcessBus`; a cluster fills the same protocol with NATS
JetStream (``stockade.connectors.nats``).

    >>> bus = InProcessBus()
    >>> bus.publish("dc-demo", [(1, event)], [entry])     # doctest: +SKIP
    >>> bus.get(timeout=0.1)                               # doctest: +SKIP
    Delivery(site='dc-demo', events=[(1, ...)], entries=[b'{...}'])
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
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


class InProcessBus:
    """A FIFO queue: one process owns every site, so one queue keeps each site's order."""

    def __init__(self, maxsize: int = 0) -> None:
        self._queue: queue.Queue[Delivery] = queue.Queue(maxsize)

    def publish(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> None:
        if events:
            self._queue.put(Delivery(site, events, entries))

    def get(self, timeout: float) -> Delivery | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def depth(self) -> int:
        return self._queue.qsize()
