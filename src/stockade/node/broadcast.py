"""Fan-out of committed events to live listeners (the ``/v1/stream`` endpoint).

Publishing happens on worker threads; each listener is an asyncio queue in
the server's event loop, fed with ``call_soon_threadsafe``. A slow listener
loses its oldest events rather than slowing ingest, and is told so.

    >>> sub = broadcaster.subscribe(loop, sites={"dc-demo"}, kinds={"alert"})   # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from stockade.events import Envelope


@dataclass(eq=False)
class Subscription:
    loop: asyncio.AbstractEventLoop
    sites: frozenset[str] | None
    kinds: frozenset[str] | None
    queue: asyncio.Queue[tuple[int, Envelope]] = field(default_factory=lambda: asyncio.Queue(1000))
    dropped: int = 0

    def wants(self, site: str, event: Envelope) -> bool:
        return (self.sites is None or site in self.sites) and (self.kinds is None or event.kind in self.kinds)

    def offer(self, item: tuple[int, Envelope]) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(item)


class Broadcaster:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()

    def subscribe(
        self, loop: asyncio.AbstractEventLoop, sites: set[str] | None = None, kinds: set[str] | None = None
    ) -> Subscription:
        sub = Subscription(loop, frozenset(sites) if sites else None, frozenset(kinds) if kinds else None)
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def listeners(self) -> int:
        with self._lock:
            return len(self._subs)

    def publish(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        """Hand each listener the events it wants: one pass over the batch, one wake-up per event loop.

        Ingest pays O(events + listeners) per batch, not O(events x listeners), and one
        ``call_soon_threadsafe`` per loop however many listeners it serves (50 dashboards
        on the server's loop cost one wake-up per batch)."""
        with self._lock:
            subs = [s for s in self._subs if s.sites is None or site in s.sites]
        if not subs or not events:
            return
        by_kind: dict[str, list[tuple[int, Envelope]]] = {}
        for item in events:
            by_kind.setdefault(item[1].kind, []).append(item)
        per_loop: dict[asyncio.AbstractEventLoop, list[tuple[Subscription, list[tuple[int, Envelope]]]]] = {}
        for sub in subs:
            if sub.kinds is None:
                items = list(events)
            else:
                wanted = [by_kind[k] for k in sub.kinds if k in by_kind]
                items = wanted[0] if len(wanted) == 1 else sorted((i for w in wanted for i in w), key=_seq)
            if items:
                per_loop.setdefault(sub.loop, []).append((sub, items))
        for loop, deliveries in per_loop.items():
            try:
                loop.call_soon_threadsafe(_deliver, deliveries)
            except RuntimeError:  # the listeners' loop has closed
                for sub, _ in deliveries:
                    self.unsubscribe(sub)


def _seq(item: tuple[int, Envelope]) -> int:
    return item[0]


def _deliver(deliveries: list[tuple[Subscription, list[tuple[int, Envelope]]]]) -> None:
    for sub, items in deliveries:
        for item in items:
            sub.offer(item)
