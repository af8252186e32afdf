"""Building evidence bundles in the node (the ``capture_evidence`` step's work).

Reads the incident's window from the store, logs the export (chain of custody:
who, when, the manifest's SHA-256) in the site's log, signs a checkpoint that
covers it, proves every entry against that checkpoint and writes the bundle
under ``<data>/evidence/<site>/``; then asks the evidence store (an NVR) to
retain the camera clips. :func:`stockade.response.evidence.verify_bundle`
checks the file offline.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stockade.events import Envelope, Video
from stockade.events.model import Action
from stockade.incidents.changes import RESPONSE_SOURCE
from stockade.ledger.checkpoint import parse_checkpoint
from stockade.ledger.log import SiteLog
from stockade.ledger.note import parse_note
from stockade.node.ledgers import Ledgers
from stockade.response.evidence import EXPORT_ACTION, ProvenEntry, encode_bundle, manifest_digest
from stockade.response.intents import Evidence
from stockade.response.ports import EvidenceStore, PortError, RetainRequest
from stockade.store import EventQuery, Store, StoredEvent

Writer = Callable[[str, Sequence[Envelope]], None]
_PAGE = 10_000


class EvidenceBuilder:
    """``checkpoint_wait_s``: how long to wait for the node's periodic checkpoint to cover the custody
    event before signing one of its own. Signing holds the log's lock through its disk writes, so a
    bundle per incident signing its own stalled every commit behind it (the next incident's first
    intent among them); a running node signs one every second anyway. 0 (one-shot commands, drills
    whose node runs no periodic checkpoints): sign at once."""

    def __init__(self, store: Store, ledgers: Ledgers, write: Writer, out_dir: Path, retain: EvidenceStore,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), *,
                 checkpoint_wait_s: float = 0.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.ledgers = ledgers
        self._write = write
        self.out_dir = out_dir
        self._retain = retain
        self.clock = clock
        self.checkpoint_wait_s = checkpoint_wait_s
        self._sleep = sleep

    def _window(self, site: str, intent: Evidence) -> list[StoredEvent]:
        rows: list[StoredEvent] = []
        after = 0
        while True:
            page = self.store.query(EventQuery(site, since=intent.start, until=intent.end, after_seq=after,
                                               limit=_PAGE))
            rows += page
            if len(page) < _PAGE:
                return rows
            after = page[-1].seq

    def _covering(self, site: str, log: SiteLog, entries: int) -> tuple[bytes, int]:
        """A signed checkpoint of at least ``entries`` entries: the node's latest once it covers them
        (waiting up to ``checkpoint_wait_s``), else one signed now (a node whose ledger watch does
        not run — a drill — audits the store against the log first, as its checkpoints do)."""
        deadline = time.monotonic() + self.checkpoint_wait_s
        while True:
            latest = log.latest_checkpoint()
            if latest is not None:
                size = parse_checkpoint(parse_note(latest).text).size
                if size >= entries:
                    return latest, size
            if time.monotonic() >= deadline:
                break
            self._sleep(min(0.05, self.checkpoint_wait_s))
        if not log.audited.is_set() and not self.ledgers.watching:
            self.ledgers.audit_opened(site)
        note = log.checkpoint(keep=True)
        return note, parse_checkpoint(parse_note(note).text).size

    def __call__(self, intent: Evidence) -> str:
        site = intent.site
        log = self.ledgers.logs.get(site)
        if log is None:
            raise PortError(f"no ledger for site {site}")
        rows = self._window(site, intent)
        clips = [{"camera": e.camera, "track": e.track, "event": e.id}
                 for e in (r.event for r in rows) if isinstance(e, Video) and e.track]
        now = max(self.clock(), intent.at)
        manifest: dict[str, Any] = {
            "site": site, "incident": intent.incident, "intent": intent.id, "start": intent.start.isoformat(),
            "end": intent.end.isoformat(), "events": [{"index": r.seq - 1, "id": r.event.id} for r in rows],
            "clips": clips, "exported_by": f"playbook:{intent.playbook}", "exported_at": now.isoformat(),
        }
        name = f"{intent.incident}.{intent.id}.evidence.json"
        custody = Action(id=f"{intent.id}:custody", ts=now, site=site, source=RESPONSE_SOURCE, action=EXPORT_ACTION,
                         outcome="ok", incident=intent.incident, playbook=intent.playbook, target=name,
                         actor=f"playbook:{intent.playbook}",
                         attrs={"manifest_sha256": manifest_digest(manifest), "events": len(rows),
                                "clips": len(clips), **({"drill": True} if intent.drill else {})})
        self._write(site, [custody])
        logged = self.store.get(site, custody.id)
        if logged is None:
            raise PortError("the custody event was not committed")
        note, size = self._covering(site, log, logged.seq)
        proofs = log.inclusion_proofs([r.seq - 1 for r in (*rows, logged)], size)
        entries = [ProvenEntry(r.seq - 1, r.entry, tuple(proof)) for r, proof in zip(rows, proofs[:-1], strict=True)]
        custody_entry = ProvenEntry(logged.seq - 1, logged.entry, tuple(proofs[-1]))
        path = self.out_dir / site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(encode_bundle(manifest, entries, custody_entry, note))
        os.replace(tmp, path)
        if clips:
            self._retain.retain(intent.id, RetainRequest(site=site, incident=intent.incident,
                                                         clips=tuple(str(c["track"]) for c in clips)))
        return f"bundle {path} ({len(rows)} events, {len(clips)} clips, checkpoint size {size})"
