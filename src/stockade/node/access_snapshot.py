"""Each site's access decision point, saved: its facts and threat levels at a log position, so a
restart folds only the log after that position before doors are decided, not the whole log.

A snapshot is used only where it is the fold it claims to be:

* sealed under the node's row-seal key (:meth:`stockade.ledger.seal.RowSeal.seal_snapshot`),
  over the site, the position and the bytes: an edited or planted one does not check out;
* made for the site file and the Stockade version in use (the site's rules decide which admin
  events count, and another version may fold differently);
* at a position the log holds.

Anything else is logged with its reason and the whole log is folded, as without a snapshot: a
snapshot makes a restart faster and never changes what the doors decide.

    >>> snapshots = AccessSnapshots(node.access, node.store, seal, every=50_000)  # doctest: +SKIP
    >>> after = snapshots.restore("dc-demo", last_seq=store.last_seq("dc-demo"))  # doctest: +SKIP
    >>> snapshots.save_due(node.ingestor.sequencer.hold)   # each checkpoint      # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

import msgspec

from stockade import __version__
from stockade.access.facts import Facts, FactsSnapshot
from stockade.access.service import AccessService
from stockade.access.threat import ThreatLevels, ThreatLevelsView
from stockade.ledger.seal import RowSeal
from stockade.site.config import SiteConfig
from stockade.store.base import Store

log = logging.getLogger(__name__)
FORMAT = 1
"""Bump it with any change to what the facts or threat levels fold (``site/live/``), or to their
saved shape: a snapshot of another format is refused, and the log folded by the new rules."""
_MAC_BYTES = 32

Hold = Callable[[str], AbstractContextManager[object]]
"""The site's sequencer hold: no event of the site is committed (so folded) while it is held."""


class AccessSnapshot(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: int
    version: str
    site_hash: str
    facts: FactsSnapshot
    threats: ThreatLevelsView


def site_hash(site: SiteConfig) -> str:
    """The site file's digest as the node loaded it."""
    return hashlib.sha256(site.model_dump_json().encode()).hexdigest()


class AccessSnapshots:
    """Saves each site's decision point every ``every`` log positions (and at stop); restores it at start."""

    def __init__(self, access: AccessService, store: Store, seal: RowSeal, *, every: int) -> None:
        self._access = access
        self._store = store
        self._seal = seal
        self._every = every
        self.saved: dict[str, int] = {}
        """Per site: the log position of the last snapshot saved or restored."""

    def restore(self, site: str, last_seq: int) -> int:
        """Load the site's snapshot into its decision point; the position the log is to be folded
        after (0: the whole log, when there is none or it cannot be used)."""
        found = self._store.load_snapshot(site, of="access")
        if found is None:
            return 0
        seq, blob = found
        pdp = self._access.point(site)
        snapshot = self._checked(site, seq, blob, last_seq, pdp.site)
        facts, threats = Facts(pdp.site), ThreatLevels(site)
        if not isinstance(snapshot, str):
            try:
                facts.load(snapshot.facts)
                threats.load(snapshot.threats)
            except Exception as e:  # noqa: BLE001 - a snapshot that decodes but does not load: fold the log
                snapshot = f"it does not load: {type(e).__name__}: {e}"
        if isinstance(snapshot, str):
            log.warning("%s: the access snapshot at position %d is not used (%s); folding the whole log",
                        site, seq, snapshot)
            return 0
        pdp.facts, pdp.threats = facts, threats  # whole, only once both loaded
        self._access.positions[site] = seq
        self.saved[site] = seq
        return seq

    def _checked(self, site: str, seq: int, blob: bytes, last_seq: int, config: SiteConfig) -> AccessSnapshot | str:
        """The snapshot, or why it cannot be used."""
        mac, data = blob[:_MAC_BYTES], blob[_MAC_BYTES:]
        if len(mac) < _MAC_BYTES or not self._seal.check_snapshot(site, seq, data, mac):
            return "its seal does not check out: it was not written by this node"
        if seq > last_seq:
            return f"the log ends at {last_seq}"
        try:
            snapshot = msgspec.json.decode(data, type=AccessSnapshot)
        except msgspec.DecodeError as e:
            return f"it does not decode: {e}"
        if snapshot.format != FORMAT or snapshot.version != __version__:
            return f"it was made by Stockade {snapshot.version} (format {snapshot.format})"
        if snapshot.site_hash != site_hash(config):
            return "the site file changed since"
        return snapshot

    def save(self, site: str, hold: Hold) -> None:
        """Snapshot the site's decision point as it stands at its last folded position."""
        pdp = self._access.point(site)
        with self._access.threat_changes, hold(site):  # the facts and the position of one moment
            seq = self._access.positions[site]
            data = msgspec.json.encode(AccessSnapshot(FORMAT, __version__, site_hash(pdp.site), pdp.facts.save(),
                                                      pdp.threats.save()))
        self._store.save_snapshot(site, seq, self._seal.seal_snapshot(site, seq, data) + data, of="access")
        self.saved[site] = seq

    def save_due(self, hold: Hold, *, every: int | None = None) -> None:
        """Save each site whose decision point has folded ``every`` positions since its last snapshot."""
        step = max(1, self._every if every is None else every)
        for site, seq in list(self._access.positions.items()):
            if seq - self.saved.get(site, 0) >= step:
                self.save(site, hold)
