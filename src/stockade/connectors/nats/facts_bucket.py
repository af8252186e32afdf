"""The facts bucket: each site's access facts and their heartbeat, latest value per key, in NATS KV.

    >>> bucket = FactsBucket(link, settings)                              # doctest: +SKIP
    >>> link.run(bucket.put(facts_key("dc-1"), payload))                   # the owner, after a change  # doctest: +SKIP
    >>> link.spawn(bucket.follow(on_entry, stop))                          # an API node  # doctest: +SKIP

Bytes only: what the values mean is the node's (:mod:`stockade.node.roles.facts`).
The bucket keeps one revision per key (``history=1``): a reader that starts
late gets the latest value of every key first, then every later put, in the
order they were written (a KV watch is an ordered consumer on the bucket's
stream, read here with an ordered push consumer). :meth:`follow` watches for ever: when the watch is lost (NATS gone,
the consumer reset) or nothing at all came for ``facts_max_age_s`` although
owners beat four times as often, it is made again from the latest values.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import nats.errors
import nats.js.errors
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy, KeyValueConfig, StorageType
from nats.js.kv import KeyValue

from stockade.connectors.errors import BusUnavailable
from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.link import NatsLink

log = logging.getLogger(__name__)
OnEntry = Callable[[str, bytes, int, bool], Awaitable[None]]  # key, value, revision, written after the watch began


class FactsBucket:
    def __init__(self, link: NatsLink, settings: ClusterSettings) -> None:
        self._link = link
        self._settings = settings
        self._kv: KeyValue | None = None

    async def bucket(self) -> KeyValue:
        if self._kv is None:
            js = await self._link.js()
            try:
                self._kv = await js.key_value(self._settings.facts_bucket)
            except nats.js.errors.BucketNotFoundError:
                try:
                    self._kv = await js.create_key_value(KeyValueConfig(
                        bucket=self._settings.facts_bucket, history=1, storage=StorageType.FILE))
                except nats.js.errors.BadRequestError:  # another process made it first
                    self._kv = await js.key_value(self._settings.facts_bucket)
        return self._kv

    async def put(self, key: str, value: bytes) -> int:
        """Write the latest value of ``key``; its revision (the bucket stream's sequence)."""
        return await (await self.bucket()).put(key, value)

    async def follow(self, on_entry: OnEntry, stop: asyncio.Event) -> None:
        """Call ``on_entry(key, value, revision, live)`` for the latest value of every key, then for every
        put, until ``stop``; ``live`` is False for a value written before this watch began (an old word,
        however recently it arrived). The watch is made again whenever it is lost or silent for
        ``facts_max_age_s``."""
        silent_s = self._settings.facts_max_age_s
        prefix = f"$KV.{self._settings.facts_bucket}."
        while not stop.is_set():
            queue: asyncio.Queue[Msg] = asyncio.Queue()

            async def take(msg: Msg, queue: asyncio.Queue[Msg] = queue) -> None:
                await queue.put(msg)
            try:
                await self.bucket()
                js = await self._link.js()
                began = (await js.stream_info(f"KV_{self._settings.facts_bucket}")).state.last_seq
                sub = await js.subscribe(prefix + ">", stream=f"KV_{self._settings.facts_bucket}", cb=take,
                                         ordered_consumer=True, deliver_policy=DeliverPolicy.LAST_PER_SUBJECT)
            except (BusUnavailable, OSError, nats.errors.Error) as e:
                log.warning("facts bucket %s: no watch (%s); retrying", self._settings.facts_bucket, e)
                self._kv = None
                await _pause(stop, 1.0)
                continue
            try:
                while not stop.is_set():
                    try:
                        msg = await asyncio.wait_for(queue.get(), silent_s)
                    except TimeoutError:
                        log.info("facts bucket %s silent for %.1f s; watching again",
                                    self._settings.facts_bucket, silent_s)
                        break
                    if msg.headers and msg.headers.get("KV-Operation") in ("DEL", "PURGE"):
                        continue
                    revision = msg.metadata.sequence.stream
                    await on_entry(msg.subject.removeprefix(prefix), msg.data, revision, revision > began)
            finally:
                with contextlib.suppress(OSError, nats.errors.Error):
                    await sub.unsubscribe()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
