"""Who may sequence a site's events now: the seam between the embedded node and the cluster.

A site's log order is acceptance order, so one writer at a time sequences a
site: :meth:`Sequencer.hold` is held around the store's append, the ledger
append and the publication to the engine (:meth:`stockade.node.ingest.Ingestor.commit`).

    >>> sequencer = LocalSequencer()
    >>> with sequencer.hold("dc-demo"):
    ...     pass                      # dedupe, sequence, commit, append to the ledger

The embedded node's sequencer is a per-site lock (:class:`LocalSequencer`). A
cluster worker sequences only the sites whose partition lease it holds
(:class:`LeasedSequencer`): a worker that lost its lease refuses to write
rather than interleave with the new owner. The store's own per-site lock (an
advisory lock in PostgreSQL) keeps sequence numbers gapless in any case, and
the store's fence (:mod:`stockade.store.postgres.fence`) refuses the commit of
a worker paused past its lease *after* this check: the lease's clock is the
first fence, PostgreSQL the last.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from stockade.errors import StockadeError


class NotOwner(StockadeError):
    """This process does not hold the site's partition lease: it must not sequence the site."""


class Sequencer(Protocol):
    def hold(self, site: str) -> AbstractContextManager[object]:
        """Held while one batch of the site's events is sequenced and committed."""
        ...


class LocalSequencer:
    """One lock per site, in this process (the embedded node)."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def hold(self, site: str) -> AbstractContextManager[object]:
        with self._guard:
            lock = self._locks.setdefault(site, threading.Lock())
        return lock


class LeasedSequencer:
    """The local lock, and only while ``owns(site)`` says this process holds the site's lease."""

    def __init__(self, owns: Callable[[str], bool], local: LocalSequencer | None = None) -> None:
        self._owns = owns
        self._local = local or LocalSequencer()

    @contextmanager
    def _held(self, site: str) -> Iterator[object]:
        with self._local.hold(site):
            if not self._owns(site):
                raise NotOwner(f"this worker does not hold the lease of {site!r}'s partition")
            yield None

    def hold(self, site: str) -> AbstractContextManager[object]:
        return self._held(site)
