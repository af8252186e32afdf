"""Who may sequence a site's events now: the seam between the embedded node and the cluster.

A site's log order is acceptance order, so one writer at a time sequences a
site: :meth:`Sequencer.hold` is held around the store's append, the ledger
append and the publication to the engine (:meth:`stockade.node.ingest.Ingestor.commit`).

    >>> sequencer = LocalSequencer()
    >>> with sequencer.hold("dc-demo"):
    ...     pass                      # dedupe, sequence, commit, append to the ledger

The embedded node's sequencer is a per-site lock (:class:`LocalSequencer`) on which *urgent*
writers go first: access decisions, which a door waits for. While a site has had one lately
(:meth:`Sequencer.contended`), ingest commits a long batch in chunks of :data:`COMMIT_CHUNK`
events, each under its own hold, so a decision waits for one chunk at most, never for a whole
batch (issue 11.8). A cluster worker sequences only the sites whose partition lease it holds
(:class:`LeasedSequencer`): a worker that lost its lease refuses to write
rather than interleave with the new owner. The store's own per-site lock (an
advisory lock in PostgreSQL) keeps sequence numbers gapless in any case, and
the store's fence (:mod:`stockade.store.postgres.fence`) refuses the commit of
a worker paused past its lease *after* this check: the lease's clock is the
first fence, PostgreSQL the last.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from stockade.errors import StockadeError


class NotOwner(StockadeError):
    """This process does not hold the site's partition lease: it must not sequence the site."""


COMMIT_CHUNK = 25
"""Events per commit of a batch while urgent writers use the site, so a door's decision waits for 25
events' commit at most, never for a whole batch. Only the batch's last chunk waits for the disk (its
sync covers the chunks before it), so chunking costs commits, not syncs. Measured on the 2-core
development machine, medians of 3 interleaved runs: contended ingest of the bench mix in batches of
1,000 (a script timing ``ingest_lines`` after a decision held the site) at 40,000 events/s in chunks
of 100 that each synced, 51,000 in chunks of 100 with one sync, 36,000 in chunks of 25 with one
sync; ``python -m bench access_http``'s p99 while the node ingests 4,000 events/s, chunks of 100 ->
25: 10.0 -> 9.0 ms (each chunk synced) and 13.2 -> 11.8 ms (one sync, in a noisier hour of the
machine). A door's answer is worth the commits."""
CONTENDED_S = 5.0
"""How long after an urgent hold a site counts as contended."""


class Sequencer(Protocol):
    def hold(self, site: str, *, urgent: bool = False) -> AbstractContextManager[object]:
        """Held while one batch of the site's events is sequenced and committed; ``urgent`` holders
        (decisions) are let in before the others waiting."""
        ...

    def contended(self, site: str) -> bool:
        """Whether urgent writers used the site lately: then long batches commit in chunks."""
        ...


class _SiteLock:
    """A lock whose urgent waiters go before the others (not re-entrant, like ``threading.Lock``)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._held = False
        self._urgent = 0
        self.waiting = 0  # holders waiting now, urgent or not (changes are notified on ``cond``)
        self.urgent_at = float("-inf")

    @property
    def cond(self) -> threading.Condition:
        return self._cond

    @contextmanager
    def hold(self, urgent: bool) -> Iterator[None]:
        with self._cond:
            self.waiting += 1
            self._cond.notify_all()
            if urgent:
                self._urgent += 1
                self.urgent_at = time.monotonic()
            try:
                while self._held or (not urgent and self._urgent):
                    self._cond.wait()
            finally:
                self.waiting -= 1
                if urgent:
                    self._urgent -= 1
            self._held = True
        try:
            yield None
        finally:
            with self._cond:
                self._held = False
                self._cond.notify_all()


class LocalSequencer:
    """One lock per site, in this process (the embedded node); urgent holders first."""

    def __init__(self) -> None:
        self._locks: dict[str, _SiteLock] = {}
        self._guard = threading.Lock()

    def _lock(self, site: str) -> _SiteLock:
        with self._guard:
            lock = self._locks.get(site)
            if lock is None:
                lock = self._locks[site] = _SiteLock()
            return lock

    def hold(self, site: str, *, urgent: bool = False) -> AbstractContextManager[object]:
        return self._lock(site).hold(urgent)

    def contended(self, site: str) -> bool:
        return time.monotonic() - self._lock(site).urgent_at < CONTENDED_S


class LeasedSequencer:
    """The local lock, and only while ``owns(site)`` says this process holds the site's lease."""

    def __init__(self, owns: Callable[[str], bool], local: LocalSequencer | None = None) -> None:
        self._owns = owns
        self._local = local or LocalSequencer()

    @contextmanager
    def _held(self, site: str, urgent: bool) -> Iterator[object]:
        with self._local.hold(site, urgent=urgent):
            if not self._owns(site):
                raise NotOwner(f"this worker does not hold the lease of {site!r}'s partition")
            yield None

    def hold(self, site: str, *, urgent: bool = False) -> AbstractContextManager[object]:
        return self._held(site, urgent)

    def contended(self, site: str) -> bool:
        return self._local.contended(site)
