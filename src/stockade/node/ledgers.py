"""The node's ledgers: one :class:`SiteLog` per site, kept level with the store.

The store's sequence number ``n`` is the log's entry ``n - 1``. Appends happen
under the ingest site lock, right after the commit; if the process died in
between, :meth:`Ledgers.open` appends the missing tail from the store, so the
log always ends up holding exactly the store's rows in order. The node signs
a checkpoint at least every ``checkpoint_interval_s`` while entries arrive.

    >>> ledgers = Ledgers.open(data_dir, sites, store)     # doctest: +SKIP
    >>> ledgers.append("dc-demo", [entry])                  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
import msgspec

from stockade.events import Envelope
from stockade.ledger.devices import DeviceKeys, check_event_signature
from stockade.ledger.errors import LedgerError
from stockade.ledger.keys import LogKeys, load_or_create_log_keys
from stockade.ledger.log import SiteLog, ledger_dir
from stockade.ledger.witnessing import cosign_checkpoint, load_peers
from stockade.site import SiteConfig
from stockade.store import Store

_raw = msgspec.json.Decoder(dict[str, object])
log_ = logging.getLogger(__name__)


class Ledgers:
    def __init__(self, logs: dict[str, SiteLog], keys: LogKeys) -> None:
        self.logs = logs
        self.keys = keys

    @classmethod
    def open(cls, data_dir: Path, sites: Mapping[str, SiteConfig], store: Store) -> Ledgers:
        keys = load_or_create_log_keys(data_dir / "keys")
        logs: dict[str, SiteLog] = {}
        for site_id, site in sites.items():
            origin = site.ledger_origin
            log = SiteLog.open(ledger_dir(data_dir, site_id), origin, keys.signer(origin))
            stored = store.last_seq(site_id)
            if log.size > stored:
                raise LedgerError(
                    f"the {site_id} log has {log.size} entries but the store only {stored}: "
                    "the store lost rows; run `stockade ledger audit` before serving"
                )
            if log.size < stored:
                tail = [row.entry for row in store.read(site_id, after_seq=log.size)]
                log.append(tail)
            logs[site_id] = log
        return cls(logs, keys)

    def append(self, site: str, entries: Sequence[bytes]) -> None:
        self.logs[site].append(entries)

    def checkpoint_all(self) -> None:
        for log in self.logs.values():
            log.checkpoint()


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

    def __call__(self, site: SiteConfig, event: Envelope, raw: bytes) -> tuple[str, str] | None:
        check = check_event_signature(_raw.decode(raw), self._current(), site.policy.require_signatures)
        return None if check.accepted else ("sig", check.reason)
