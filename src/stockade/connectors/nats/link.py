"""A NATS connection on an event loop of its own, for the node's threads.

    >>> link = NatsLink(ClusterSettings())             # doctest: +SKIP
    >>> link.start()                                   # doctest: +SKIP
    >>> acks = link.publish_events("dc-1", [(event_id, entry), ...])   # doctest: +SKIP

``start`` connects in the background and reconnects for ever. The node's request handlers and
workers are threads; nats-py is asyncio. The
link runs one loop in a daemon thread and every call waits on it with a
timeout, so a lost server is a :class:`BusUnavailable` after the timeout,
never a hang or a silent accept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import PubAck, RetentionPolicy, StorageType, StreamConfig

from stockade.connectors.errors import BusUnavailable
from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.mapping import IN_PREFIX, OUT_PREFIX, msg_id, subject_in

log = logging.getLogger(__name__)
T = TypeVar("T")
OUT_STREAM_SUFFIX = "_OUT"


class NatsLink:
    def __init__(self, settings: ClusterSettings, name: str = "stockade") -> None:
        self.settings = settings
        self._name = name
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name=f"nats:{name}", daemon=True)
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._ready = threading.Event()
        self._streams_ok = False

    # --- lifecycle -----------------------------------------------------------

    def start(self, wait_s: float = 0.0) -> bool:
        """Start connecting (and reconnecting for ever); True when connected within ``wait_s``."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._connect_forever(), self._loop)
        return self._ready.wait(wait_s)

    def _run_loop(self) -> None:
        """The link's thread: the loop until :meth:`stop`, then its tasks cancelled and the loop closed."""
        loop = self._loop
        asyncio.set_event_loop(loop)
        loop.run_forever()
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    async def _connect_forever(self) -> None:
        while self._nc is None:
            try:
                self._nc = await nats.connect(
                    self.settings.nats_url, name=self._name, connect_timeout=2, allow_reconnect=True,
                    max_reconnect_attempts=-1, reconnect_time_wait=0.5, error_cb=self._on_error,
                    disconnected_cb=self._on_disconnect, reconnected_cb=self._on_reconnect)
            except (OSError, nats.errors.Error) as e:
                log.warning("NATS at %s unreachable (%s); retrying", self.settings.nats_url, e)
                await asyncio.sleep(1.0)
        self._js = self._nc.jetstream(timeout=self.settings.publish_timeout_s)
        self._ready.set()

    async def _on_error(self, e: Exception) -> None:
        log.debug("NATS: %s", e)

    async def _on_disconnect(self) -> None:
        log.warning("NATS disconnected from %s", self.settings.nats_url)

    async def _on_reconnect(self) -> None:
        log.info("NATS reconnected to %s", self.settings.nats_url)

    def stop(self) -> None:
        if self._nc is not None:
            with contextlib.suppress(BusUnavailable):
                self.run(self._nc.drain(), 5.0)
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)


    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    # --- calls from threads --------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the link's loop and wait for it; any NATS failure is :class:`BusUnavailable`."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(self.settings.publish_timeout_s if timeout is None else timeout)
        except TimeoutError as e:
            future.cancel()
            raise BusUnavailable(f"NATS at {self.settings.nats_url} did not answer in time") from e
        except (OSError, nats.errors.Error) as e:
            raise BusUnavailable(f"NATS at {self.settings.nats_url}: {e or type(e).__name__}") from e

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def js(self) -> JetStreamContext:
        """The JetStream context once connected; the streams exist after the first call."""
        if self._js is None or self._nc is None or not self._nc.is_connected:
            raise BusUnavailable(f"not connected to NATS at {self.settings.nats_url}")
        if not self._streams_ok:
            await self._ensure_streams(self._js)
            self._streams_ok = True
        return self._js

    async def _ensure_streams(self, js: JetStreamContext) -> None:
        for config in (
            StreamConfig(name=self.settings.stream, subjects=[IN_PREFIX + "*"], storage=StorageType.FILE,
                         retention=RetentionPolicy.LIMITS, duplicate_window=120.0),
            StreamConfig(name=self.settings.stream + OUT_STREAM_SUFFIX, subjects=[OUT_PREFIX + "*"],
                         storage=StorageType.FILE, retention=RetentionPolicy.LIMITS, max_age=3600.0),
        ):
            try:
                await js.add_stream(config)
            except nats.js.errors.BadRequestError:  # it exists with other limits: keep the operator's
                await js.stream_info(config.name or "")

    # --- publishing ----------------------------------------------------------

    def publish_events(self, site: str, events: Sequence[tuple[str, bytes]]) -> list[PubAck]:
        """Publish one site's events in order (id, entry); return once JetStream acknowledged all."""
        return self.run(self._publish(site, events))

    async def _publish(self, site: str, events: Sequence[tuple[str, bytes]]) -> list[PubAck]:
        js = await self.js()
        subject = subject_in(site)
        futures: list[Awaitable[PubAck]] = []
        for event_id, entry in events:  # sent in order on one connection: the stream keeps that order
            futures.append(await js.publish_async(subject, entry, headers={"Nats-Msg-Id": msg_id(site, event_id)}))
        return list(await asyncio.gather(*futures))

    def publish_plain(self, subject: str, payloads: Sequence[bytes]) -> None:
        """Fire-and-forget core publishes (the outputs feed); dropped while disconnected."""
        nc = self._nc
        if nc is None or not nc.is_connected:
            return

        async def send() -> None:
            for payload in payloads:
                await nc.publish(subject, payload)
        self.spawn(send())

    def subscribe(self, subject: str, handler: Callable[[Msg], Awaitable[None]]) -> None:
        """A core subscription, taken again after a reconnect by nats-py itself."""
        async def sub() -> None:
            await asyncio.to_thread(self._ready.wait)
            if self._nc is not None:  # set before _ready
                await self._nc.subscribe(subject, cb=handler)
        self.spawn(sub())
