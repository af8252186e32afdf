"""Fan-out of committed events to live listeners (the ``/v1/stream`` endpoint).

Publishing happens on worker threads; each listener is an asyncio queue in
the server's event loop, fed with ``call_soon_threadsafe``. A slow listener
loses its oldest events rather than slowing ingest, and is told so: the next
:meth:`Subscription.get` after a loss answers :class:`Missed` with how many were
dropped, before the events that follow the gap.

    >>> import asyncio
    >>> from datetime import UTC, datetime
    >>> from stockade.events import Tick
    >>> async def listen() -> list[object]:
    ...     broadcaster = Broadcaster()
    ...     sub = broadcaster.subscribe(asyncio.get_running_loop(), sites={"dc-demo"}, size=2)
    ...     tick = Tick(id="t", ts=datetime(2026, 11, 21, tzinfo=UTC), site="dc-demo", source="bus")
    ...     broadcaster.publish("dc-demo", [(1, tick), (2, tick), (3, tick)])  # one more than it holds
    ...     await asyncio.sleep(0)                         # the loop runs the offers
    ...     return [await sub.get() for _ in range(3)]
    >>> [m if isinstance(m, Missed) else m[0] for m in asyncio.run(listen())]
    [Missed(count=1), 2, 3]
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from stockade.events import Envelope

QUEUE_SIZE = 1000


class Missed(msgspec.Struct, frozen=True, tag_field="kind", tag="missed"):
    """Told to a slow listener: ``count`` events it wanted were dropped just before the next one it gets."""

    count: int


@dataclass(eq=False)
class Subscription:
    loop: asyncio.AbstractEventLoop
    sites: frozenset[str] | None
    kinds: frozenset[str] | None
    queue: asyncio.Queue[tuple[int, Envelope]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: int = 0  # in all, since it subscribed
    told: int = 0  # of those, how many it has been told of

    async def get(self) -> tuple[int, Envelope] | Missed:
        """The next (seq, event), or first :class:`Missed` when events were dropped since the last call."""
        if self.dropped > self.told:
            missed = Missed(self.dropped - self.told)
            self.told = self.dropped
            return missed
        return await self.queue.get()

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
        self, loop: asyncio.AbstractEventLoop, sites: set[str] | None = None, kinds: set[str] | None = None,
        size: int = QUEUE_SIZE,
    ) -> Subscription:
        sub = Subscription(loop, frozenset(sites) if sites else None, frozenset(kinds) if kinds else None,
                           asyncio.Queue(size))
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
