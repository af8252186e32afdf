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
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            for seq, event in events:
                if sub.wants(site, event):
                    try:
                        sub.loop.call_soon_threadsafe(sub.offer, (seq, event))
                    except RuntimeError:  # the listener's loop has closed
                        self.unsubscribe(sub)
                        break
