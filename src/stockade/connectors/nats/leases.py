"""Partition ownership by lease in a NATS KV bucket: take, renew, expire. No consensus of our own.

    >>> leases = Leases(link, "worker-a", settings)                  # doctest: +SKIP
    >>> link.run(leases.round())     # doctest: +SKIP
    {0, 3, 5}

A round renews what the worker holds and takes its share of the free ones.
The bucket's TTL is the lease time: a key not written for ``lease_s`` is gone,
so a killed worker's partitions are free within ``lease_s``. A worker takes a
free partition with ``create`` (fails if the key exists) and renews with
``update`` on the revision it last wrote (fails if anyone else wrote since), so
at most one worker holds a partition. Each worker also writes
``worker.<id>``; its share is ``ceil(partitions / live workers)``: it takes
free partitions up to its share (in an order of its own, rendezvous-hashed, so
workers ask for different ones first) and gives back (:meth:`release`) what
it holds beyond it, after it stopped working on them. :meth:`valid` says
whether a lease is still good now: renewed within ``0.8 × lease_s`` (a safety
margin below the TTL), so a worker that cannot renew stops writing before any
other could take over.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import time
from collections.abc import Iterable

import nats.js.errors
from nats.js.api import KeyValueConfig, StorageType
from nats.js.kv import KeyValue

from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.link import NatsLink
from stockade.connectors.nats.mapping import lease_key, worker_key

SAFETY = 0.8  # a lease is trusted for this fraction of its TTL after the write that renewed it


class Leases:
    def __init__(self, link: NatsLink, worker: str, settings: ClusterSettings) -> None:
        self._link = link
        self.worker = worker
        self._settings = settings
        self._kv: KeyValue | None = None
        self.held: dict[int, int] = {}  # partition -> revision of our last write
        self._until: dict[int, float] = {}
        self.share = settings.partitions
        self._guard = asyncio.Lock()  # renewals (a thread of their own) and rounds never interleave
        self.order = sorted(range(settings.partitions),
                            key=lambda p: hashlib.sha256(f"{worker}/{p}".encode()).digest())

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            js = await self._link.js()
            try:
                self._kv = await js.key_value(self._settings.lease_bucket)
            except nats.js.errors.BucketNotFoundError:
                self._kv = await js.create_key_value(KeyValueConfig(
                    bucket=self._settings.lease_bucket, history=1, ttl=self._settings.lease_s,
                    storage=StorageType.FILE))
        return self._kv

    def valid(self, partition: int) -> bool:
        return time.monotonic() < self._until.get(partition, float("-inf"))

    async def renew(self) -> set[int]:
        """Say we are alive and renew every lease held, dropping those another took. A worker calls
        this from a thread of its own, so a long rebuild or commit never lets its leases lapse."""
        async with self._guard:
            await self._renew(await self._bucket())
            return set(self.held)

    async def _renew(self, kv: KeyValue) -> None:
        started = time.monotonic()
        await kv.put(worker_key(self.worker), b"alive")
        for p, revision in list(self.held.items()):
            try:
                self.held[p] = await kv.update(lease_key(p), self.worker.encode(), last=revision)
                self._until[p] = started + SAFETY * self._settings.lease_s
            except nats.js.errors.KeyWrongLastSequenceError:
                self._drop(p)  # expired and taken by another worker: we were too slow to renew

    async def round(self) -> set[int]:
        """Renew, then take free partitions up to our share. Returns the partitions held now."""
        async with self._guard:
            kv = await self._bucket()
            await self._renew(kv)
            started = time.monotonic()
            self.share = math.ceil(self._settings.partitions / max(1, await self._live_workers(kv)))
            for p in self.order:
                if len(self.held) >= self.share:
                    break
                if p in self.held:
                    continue
                try:
                    self.held[p] = await kv.create(lease_key(p), self.worker.encode())
                except nats.js.errors.KeyWrongLastSequenceError:
                    continue  # someone holds it
                self._until[p] = started + SAFETY * self._settings.lease_s
            return set(self.held)

    def extra(self) -> set[int]:
        """What we hold beyond our share (the partitions we prefer least): to give back."""
        mine = [p for p in self.order if p in self.held]
        return set(mine[self.share:])

    async def release(self, partitions: Iterable[int]) -> None:
        """Give partitions back (after this worker has stopped working on them)."""
        async with self._guard:
            kv = await self._bucket()
            for p in partitions:
                revision = self.held.get(p)
                self._drop(p)
                if revision is None:
                    continue
                with contextlib.suppress(nats.js.errors.BadRequestError):  # taken by another since: not ours
                    await kv.delete(lease_key(p), last=revision)

    async def leave(self) -> None:
        """Release everything and say we are gone (a clean stop)."""
        await self.release(list(self.held))
        kv = await self._bucket()
        await kv.delete(worker_key(self.worker))

    def _drop(self, p: int) -> None:
        self.held.pop(p, None)
        self._until.pop(p, None)

    async def _live_workers(self, kv: KeyValue) -> int:
        try:
            keys = await kv.keys()
        except nats.js.errors.NoKeysError:
            return 1
        return sum(1 for k in keys if k.startswith("worker."))
