"""The ledger check's place in the node: at start-up, and in a thread while it runs.

    >>> ledgers = open_checked_ledgers(settings, sites, store)  # refuses damage (accept_damage)  # doctest: +SKIP
    >>> watch = LedgerWatch(ledgers, 3600.0, write_outputs)   # doctest: +SKIP
    >>> watch.start()        # reports start-up damage, then audits every row now and every interval  # doctest: +SKIP

Nothing is signed before the first audit since the start has passed
(``SiteLog.audited``): a row whose id was changed while the node was stopped
could otherwise let its original in a second time, and be signed.

A failed check freezes the site's log and writes an ``action`` event
(``stockade:ledger``, ``ledger_check``, ``failed``) through the node's output
path: STK-LED-001 turns it into a critical alert.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from stockade.events import Action, Envelope
from stockade.ledger.source import TileStore
from stockade.node.ledgers import Ledgers
from stockade.node.settings import Settings
from stockade.site import SiteConfig
from stockade.store import Store

log = logging.getLogger(__name__)
SOURCE = "stockade:ledger"


def open_checked_ledgers(settings: Settings, sites: Mapping[str, SiteConfig], store: Store,
                         tiles: Callable[[str], TileStore] | None = None) -> Ledgers:
    """Every site's log, checked before anything is served or signed (``LedgerDamageError`` if not)."""
    return Ledgers.open(settings.data_dir, sites, store, state_dir=settings.ledger_state_dir,
                        accept_damage=settings.accept_damage, tiles=tiles)


def failure_event(site: str, check: str, problem: str, now: datetime | None = None) -> Action:
    """The event a failed ledger check leaves in the store (and that STK-LED-001 reads)."""
    at = now or datetime.now(UTC)
    return Action(id=f"act-ledger-{check}-{time.time_ns()}", ts=at, site=site, source=SOURCE,
                  action="ledger_check", outcome="failed", target=check, detail=problem[:2000])


class LedgerWatch:
    """Runs :meth:`Ledgers.audit_all` in a thread: once at start, then every ``interval_s``."""

    def __init__(self, ledgers: Ledgers, interval_s: float,
                 write_outputs: Callable[[str, Sequence[Envelope]], None]) -> None:
        self._ledgers = ledgers
        self._interval = interval_s
        self._write = write_outputs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stockade-ledger-audit", daemon=True)
        self.audits = 0
        ledgers.report = self.report

    def report(self, site: str, check: str, problem: str) -> None:
        self._write(site, [failure_event(site, check, problem)])

    def start(self) -> None:
        for damage in list(self._ledgers.damage.values()):  # started with --accept-damage
            self.report(damage.site, "start", damage.problem)
        self._ledgers.watching = True
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._ledgers.audit_all(self._stop.is_set)
            except Exception:  # logged; the next period retries
                if self._stop.is_set():
                    return  # the store closed under a long audit at shutdown
                log.exception("the running ledger audit failed")
            self.audits += 1
            self._stop.wait(self._interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._ledgers.watching = False  # a final checkpoint audits first what the watch did not finish
