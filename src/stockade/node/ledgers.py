"""The node's ledgers: one :class:`SiteLog` per site, kept level with the store.

The store's sequence number ``n`` is the log's entry ``n - 1``. Appends happen
under the ingest site lock, right after the commit; if the process died in
between, :meth:`Ledgers.open` appends the missing tail from the store — only
rows that carry the node's seal and follow in sequence, after the checks of
:mod:`stockade.node.ledger_check` — so the log ends up holding exactly the
rows the node wrote, in order. The node signs a checkpoint at least every
``checkpoint_interval_s`` while entries arrive, and keeps the latest one
outside the data directory (``ledger_state_dir``) so a rollback is refused.

    >>> ledgers = Ledgers.open(data_dir, sites, store)     # doctest: +SKIP
    >>> ledgers.append("dc-demo", [entry])                  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx
import msgspec

from stockade.events import Envelope
from stockade.ledger.devices import DeviceKeys, check_event_signature
from stockade.ledger.errors import LedgerError
from stockade.ledger.keys import LogKeys, key_history, load_or_create_log_keys
from stockade.ledger.log import SiteLog, ledger_dir
from stockade.ledger.note import Verifier
from stockade.ledger.seal import RowSeal, load_or_create_row_seal
from stockade.ledger.source import TileStore
from stockade.ledger.startcheck import RememberedCheckpoint, check_log, default_state_dir
from stockade.ledger.witnessing import cosign_checkpoint, load_peers
from stockade.node.ledger_check import LedgerDamage, LedgerDamageError, check_store_tail, positional_audit
from stockade.site import SiteConfig
from stockade.site.authority import Refusal
from stockade.store import Store

_raw = msgspec.json.Decoder(dict[str, object])
log_ = logging.getLogger(__name__)


Report = Callable[[str, str, str], None]
"""Called as ``report(site, check, problem)`` when a ledger check fails while the node runs."""


class Ledgers:
    """Every site's log, checked at open; a site whose check fails is *frozen*: its log takes no
    more entries and signs no more checkpoints (events are still committed to the store)."""

    def __init__(self, logs: dict[str, SiteLog], keys: LogKeys, remembered: dict[str, RememberedCheckpoint],
                 verifiers: dict[str, list[Verifier]], store: Store,
                 damage: dict[str, LedgerDamage] | None = None) -> None:
        self.logs = logs
        self.store = store
        self.watching = False
        """True while a :class:`~stockade.node.ledger_watch.LedgerWatch` audits in the background."""
        self.keys = keys
        self.remembered = remembered
        self.damage: dict[str, LedgerDamage] = dict(damage or {})
        self.report: Report | None = None
        self._verifiers = verifiers
        self.opened = {site: log.size for site, log in logs.items()}
        """Each log's size once opened (its tail from the store appended): the rows the audit that
        releases signing must cover (:meth:`audit_opened`)."""
        self._opened_audit: threading.Thread | None = None

    @classmethod
    def open(cls, data_dir: Path, sites: Mapping[str, SiteConfig], store: Store, *,
             state_dir: Path | None = None, accept_damage: bool = False,
             tiles: Callable[[str], TileStore] | None = None) -> Ledgers:
        """Open and check each site's log (:mod:`stockade.node.ledger_check`), append the node's own
        unsigned tail from the store, and refuse (:class:`LedgerDamageError`) on the first problem,
        unless ``accept_damage``: then the damaged site is frozen and the damage logged. ``tiles``
        gives a site's tile store (a cluster's, in PostgreSQL); default: ``<data>/ledger/<site>``."""
        keys = load_or_create_log_keys(data_dir / "keys")
        seal = load_or_create_row_seal(data_dir / "keys")
        verifiers_of = functools.partial(_verifiers, data_dir / "keys", keys)
        logs: dict[str, SiteLog] = {}
        verifiers: dict[str, list[Verifier]] = {}
        remembered: dict[str, RememberedCheckpoint] = {}
        damage: dict[str, LedgerDamage] = {}
        first_key = (key_history(data_dir / "keys") or [keys.public])[0].ed25519
        for site_id, site in sites.items():
            origin = site.ledger_origin
            remembered[site_id] = RememberedCheckpoint.for_log(state_dir or default_state_dir(), data_dir, origin,
                                                           first_key)
            verifiers[site_id] = verifiers_of(origin)
            log, tail, problem = _open_checked(data_dir, site_id, origin, keys, store, seal,
                                               verifiers[site_id], remembered[site_id],
                                               None if tiles is None else tiles(site_id))
            if problem is not None:
                found = LedgerDamage(site_id, problem)
                if not accept_damage:
                    raise LedgerDamageError(found.line())
                damage[site_id] = found
                log_.error("%s; started anyway (--accept-damage): the log is frozen", found.line())
                if log is not None:
                    log.freeze(problem)
            elif tail and log is not None:
                log.append(tail)
            if log is not None:  # a log that does not even open: the site is served without a ledger
                logs[site_id] = log
        for log in logs.values():
            log.audited.clear()  # sign nothing until every row has been held against the log once
        return cls(logs, keys, remembered, verifiers, store, damage)

    def append(self, site: str, entries: Sequence[bytes]) -> None:
        log = self.logs.get(site)
        if log is not None:
            log.append(entries)  # a frozen log keeps its size (see SiteLog.freeze)

    def checkpoint_all(self) -> None:
        """Sign each site's checkpoint and remember it outside the data directory. A site not yet
        audited since the start is skipped while the watch audits it, else audited here first (or
        once the audit :meth:`audit_opened_behind` started has ended)."""
        if self._opened_audit is not None:
            self._opened_audit.join()
        for site, log in self.logs.items():
            if log.frozen is not None:
                continue
            if not log.audited.is_set():
                if self.watching:
                    continue
                self.audit_opened(site)
                if log.frozen is not None:
                    continue
            note = log.checkpoint()
            self.remembered[site].remember(note, log.size)

    def verifiers(self, site: str) -> list[Verifier]:
        """The keys a checkpoint of ``site`` may be signed with (current and retired)."""
        return self._verifiers[site]

    def fail(self, site: str, check: str, problem: str) -> None:
        """A check failed while running: freeze the site's log, log it, and report it (the alert)."""
        log = self.logs.get(site)
        if log is not None and log.frozen is None:
            log.freeze(problem)
        self.damage[site] = LedgerDamage(site, problem)
        log_.error("ledger check %s failed: %s", check, LedgerDamage(site, problem).line())
        if self.report is not None:
            self.report(site, check, problem)

    def audit_all(self, stopped: Callable[[], bool] = lambda: False) -> None:
        """The running check: every site's rows against its log, in one ordered pass each."""
        for site in list(self.logs):
            if not stopped():
                self.audit_site(site, stopped)

    def audit_opened(self, site: str) -> None:
        """The audit that releases signing without a watch (a one-shot command): the rows the site
        had when its log was opened. A row changed while the node was stopped is among them; the
        rows appended since were written by this process, beside their log entries and from the same
        bytes, and a serving node's watch audits every row each interval. The audit then costs the log
        the command found, not what it added (about 4.5 µs per row on the development machine,
        README "Start-up")."""
        self.audit_site(site, upto=self.opened.get(site, 0))

    def audit_opened_behind(self) -> None:
        """Run :meth:`audit_opened` for every site in a thread, beside a one-shot command's work, so
        its stop (:meth:`checkpoint_all`, which waits for it) does not read the whole store then. A
        site the thread could not audit is audited at the checkpoint instead. Once per process: a
        second call finds the audit started."""
        if self._opened_audit is not None:
            return

        def audit_all() -> None:
            for site in list(self.logs):
                try:
                    self.audit_opened(site)
                except Exception:  # logged; checkpoint_all audits the site itself
                    log_.exception("%s: the audit of the rows the store held at open did not finish", site)

        self._opened_audit = threading.Thread(target=audit_all, name="stockade-ledger-opened-audit", daemon=True)
        self._opened_audit.start()

    def audit_site(self, site: str, stopped: Callable[[], bool] = lambda: False, *,
                   upto: int | None = None) -> None:
        """Hold the site's rows ``1..upto`` (default: every row) against its log; once a pass has,
        release signing."""
        log = self.logs[site]
        if log.frozen is not None:
            return
        try:
            problem = positional_audit(log, self.store, site, log.size if upto is None else upto, stopped)
        except LedgerError as e:
            problem = str(e)
        if problem is not None:
            self.fail(site, "audit", problem)
        elif not stopped():
            log.audited.set()


def _open_checked(data_dir: Path, site: str, origin: str, keys: LogKeys, store: Store, seal: RowSeal,
                  verifiers: list[Verifier], remembered: RememberedCheckpoint, files: TileStore | None
                  ) -> tuple[SiteLog | None, list[bytes], str | None]:
    """The site's log, the node's own rows to append to it, and the first problem found."""
    try:
        log = SiteLog.open(ledger_dir(data_dir, site), origin, keys.signer(origin), files=files)
    except LedgerError as e:
        return None, [], str(e)
    try:
        problem = check_log(log, verifiers, remembered)
        if problem is not None:
            return log, [], problem
        tail, problem = check_store_tail(log, store, site, seal)
    except LedgerError as e:
        return log, [], str(e)
    return log, tail, problem


def _verifiers(keys_dir: Path, keys: LogKeys, origin: str) -> list[Verifier]:
    history = [v for k in key_history(keys_dir) for v in k.verifiers(origin)]
    return history or keys.verifiers(origin)


class WitnessCosigning:
    """Asks the configured witnesses (``<data>/witnesses.json``) to cosign each site's latest
    checkpoint; their verified cosignatures are attached to the checkpoint file that clients fetch."""

    def __init__(self, ledgers: Ledgers, peers_file: Path, client: httpx.Client | None = None) -> None:
        self._ledgers = ledgers
        self._peers_file = peers_file
        self._client = client or httpx.Client(timeout=5.0)

    def __call__(self) -> None:
        peers = load_peers(self._peers_file)
        if not peers:
            return
        for site, log in self._ledgers.logs.items():
            _, results = cosign_checkpoint(log, peers, self._client)
            for r in results:
                if not r.ok:
                    log_.warning("witness %s did not cosign %s: %s", r.url, site, r.detail)


class DeviceSignatures:
    """Ingest's signature rule, over the event exactly as the device sent it.

    The registry file is re-read when it changes, so `stockade keys add-device`
    takes effect on a running node.
    """

    RECHECK_S = 1.0  # how often the registry file is looked at (not per event)

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = -1.0
        self._checked = float("-inf")
        self._keys = DeviceKeys.load(path)

    def _current(self) -> DeviceKeys:
        now = time.monotonic()
        if now - self._checked >= self.RECHECK_S:
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime
            except FileNotFoundError:
                mtime = 0.0
            if mtime != self._mtime:
                self._keys, self._mtime = DeviceKeys.load(self.path), mtime
        return self._keys

    def __call__(self, site: SiteConfig, event: Envelope, raw: bytes) -> Refusal | None:
        check = check_event_signature(_raw.decode(raw), self._current(), site.policy.require_signatures)
        return None if check.accepted else Refusal("signature", "sig", check.reason)
