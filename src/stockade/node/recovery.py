"""Start-up recovery: each site's engine from its snapshot, then the log's tail, with progress.

A node serves HTTP while it recovers: :class:`Recovery` holds what ``/healthz``
reports (``{"status": "recovering", "site": …, "done": n, "of": m}``, with a
503) until every site has caught up, and the log says how far it has got every
couple of seconds. A snapshot the engine refuses (another site file or
detector catalogue, another format, damage) is logged with its reason, and the
site is rebuilt from its whole log the same way.

    >>> recovery = Recovery()
    >>> recovery.status() is None, recovery.ready
    (True, False)
    >>> recovery.begin("dc-demo", 1_000); recovery.advance("dc-demo", 250)
    >>> recovery.status()
    RecoveryStatus(site='dc-demo', done=250, of=1000)
    >>> recovery.finish(); recovery.ready
    True
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence

import msgspec

from stockade.events import Envelope
from stockade.node.engines import EngineRunner
from stockade.store import Store

log = logging.getLogger(__name__)
BATCH = 5_000
LOG_EVERY_S = 2.0

Project = Callable[[str, Sequence[tuple[int, Envelope]], Sequence[bytes]], int]


class RecoveryStatus(msgspec.Struct, frozen=True):
    site: str
    done: int  # events of the site's log tail applied so far
    of: int  # events in the tail to apply


class Recovery:
    """Where a node's start-up replay stands; read by ``/healthz`` from other threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: RecoveryStatus | None = None
        self._ready = threading.Event()
        self.failed: str | None = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def status(self) -> RecoveryStatus | None:
        with self._lock:
            return self._status

    def begin(self, site: str, of: int) -> None:
        with self._lock:
            self._status = RecoveryStatus(site, 0, of)

    def advance(self, site: str, done: int) -> None:
        with self._lock:
            of = self._status.of if self._status is not None and self._status.site == site else done
            self._status = RecoveryStatus(site, min(done, of), of)

    def finish(self) -> None:
        with self._lock:
            self._status = None
        self._ready.set()

    def fail(self, reason: str) -> None:
        with self._lock:
            self._status = None
            self.failed = reason

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)


def recover_engines(sites: Iterable[str], store: Store, engine: EngineRunner, project: Project,
                    recovery: Recovery, stop: threading.Event | None = None) -> int:
    """Resume every site's engine and replay its log's tail into it and the entity index (both
    projections of the log); returns how many events were replayed. Stops early when ``stop`` is set."""
    replayed = 0
    for site in sites:
        if stop is not None and stop.is_set():
            break
        replayed += _recover_site(site, store, engine, project, recovery, stop)
    return replayed


def _recover_site(site: str, store: Store, engine: EngineRunner, project: Project, recovery: Recovery,
                  stop: threading.Event | None) -> int:
    resumed = engine.resume(site)
    if resumed.refused is not None:
        log.warning("%s: the engine snapshot is refused: %s; rebuilding the site's state from its log",
                    site, resumed.refused)
    start = min(resumed.seq, store.indexed_seq(site))
    last = store.last_seq(site)
    of = max(last - start, 0)
    recovery.begin(site, of)
    if of:
        log.info("%s: replaying %d events of the log (from position %d) into the engine", site, of, start)
    began = logged = time.monotonic()
    events: list[tuple[int, Envelope]] = []
    entries: list[bytes] = []
    replayed = 0
    for row in store.read(site, start):
        if row.seq > last:  # committed since recovery began: on the bus, which the engine takes next
            break
        events.append((row.seq, row.event))
        entries.append(row.entry)
        if len(events) == BATCH:
            replayed += project(site, events, entries)
            events, entries = [], []
            recovery.advance(site, engine.applied(site) - start)
            if time.monotonic() - logged >= LOG_EVERY_S:
                logged = time.monotonic()
                done = max(engine.applied(site) - start, 0)
                log.info("%s: recovering, %d of %d events applied (%.0f %%)", site, done, of,
                         100.0 * done / of if of else 100.0)
            if stop is not None and stop.is_set():
                return replayed
    replayed += project(site, events, entries)
    while not engine.wait_applied(site, last, 0.2) and engine.alive and not (stop is not None and stop.is_set()):
        recovery.advance(site, engine.applied(site) - start)
    recovery.advance(site, of)
    if of:
        log.info("%s: recovered, %d events applied in %.1f s", site, of, time.monotonic() - began)
    return replayed
