"""Evidence bundles: every event of an incident's window, provable offline against one signed checkpoint.

A bundle is one JSON file (``stockade-evidence/1``):

- ``manifest``: site, incident, window, the events (log index and id), the
  camera clips (Frigate event ids from ``video`` events' ``track``), who
  exported it and when;
- ``entries``: each event's ledger entry (its exact RFC 8785 text) with its
  RFC 9162 inclusion proof;
- ``custody``: the ``action`` event that logged the export in the site's log,
  carrying the SHA-256 of the manifest, with its own inclusion proof;
- ``checkpoint``: the one signed C2SP checkpoint every proof is checked against.

:func:`verify_bundle` needs only the bundle and the log's verifier key, and
names the first bad byte (not JSON, not canonical), event (not in the tree),
proof or manifest it finds.

    >>> report = verify_bundle(Path("inc-1.evidence.json").read_bytes(), [parse_vkey(VKEY)])  # doctest: +SKIP
    >>> report.events, report.checkpoint.size                                                  # doctest: +SKIP
    (214, 21462)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from stockade.events.canonical import canonical_json
from stockade.ledger.checkpoint import Checkpoint, open_checkpoint
from stockade.ledger.errors import LedgerError, NoteError
from stockade.ledger.merkle import leaf_hash, verify_inclusion
from stockade.ledger.note import Verifier
from stockade.response.errors import ResponseError

FORMAT = "stockade-evidence/1"
EXPORT_ACTION = "evidence.export"


class EvidenceError(ResponseError):
    """The bundle does not verify; ``where`` names the byte, event, proof or part that failed."""

    def __init__(self, where: str, reason: str) -> None:
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class ProvenEntry:
    index: int
    entry: bytes
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "entry": self.entry.decode(),
                "proof": [base64.b64encode(h).decode() for h in self.proof]}


def manifest_digest(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(manifest)).hexdigest()


def encode_bundle(manifest: dict[str, Any], entries: Sequence[ProvenEntry], custody: ProvenEntry,
                  checkpoint: bytes) -> bytes:
    body = {"format": FORMAT, "manifest": manifest, "checkpoint": checkpoint.decode(),
            "custody": custody.to_json(), "entries": [e.to_json() for e in entries]}
    # the bytes of json.dumps(body, indent=1, ensure_ascii=False), a quarter of its time: a bundle of
    # 50,000 events is about 64 MB (0.17 against 0.74 s, a throwaway script)
    return msgspec.json.format(msgspec.json.encode(body), indent=1) + b"\n"


@dataclass(frozen=True, slots=True)
class VerifiedBundle:
    site: str
    incident: str
    events: int
    clips: int
    checkpoint: Checkpoint
    exported_by: str


def verify_bundle(data: bytes, verifiers: Sequence[Verifier]) -> VerifiedBundle:
    body = _parse(data)
    manifest = body.get("manifest")
    if body.get("format") != FORMAT or not isinstance(manifest, dict):
        raise EvidenceError("format", f"not a {FORMAT} bundle")
    try:
        signed = open_checkpoint(str(body.get("checkpoint", "")), verifiers)
    except NoteError as e:
        raise EvidenceError("checkpoint", f"does not verify with the given key: {e}") from e
    cp = signed.checkpoint
    entries = body.get("entries")
    if not isinstance(entries, list):
        raise EvidenceError("entries", "missing")
    listed = manifest.get("events")
    if not isinstance(listed, list) or len(listed) != len(entries):
        raise EvidenceError("manifest", "its event list does not match the bundle's entries")
    for n, (raw, want) in enumerate(zip(entries, listed, strict=True)):
        event = _check_entry(raw, cp, f"event {n}")
        if not isinstance(want, dict) or (want.get("index"), want.get("id")) != (raw["index"], event.get("id")):
            raise EvidenceError(f"event {n}", f"the manifest lists {want}, the entry is index {raw['index']} "
                                              f"id {event.get('id')!r}")
    custody = _check_entry(body.get("custody"), cp, "custody")
    attrs = custody.get("attrs")
    attrs = attrs if isinstance(attrs, dict) else {}
    if custody.get("action") != EXPORT_ACTION or attrs.get("manifest_sha256") != manifest_digest(manifest):
        raise EvidenceError("manifest", "does not match the SHA-256 logged by the custody event (it was changed)")
    clips = manifest.get("clips")
    return VerifiedBundle(site=str(manifest.get("site")), incident=str(manifest.get("incident")),
                          events=len(entries), clips=len(clips) if isinstance(clips, list) else 0,
                          checkpoint=cp, exported_by=str(manifest.get("exported_by")))


def _parse(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EvidenceError(f"byte {e.start}", "not UTF-8") from e
    try:
        body = json.loads(text)
    except json.JSONDecodeError as e:
        raise EvidenceError(f"byte {len(text[: e.pos].encode())}", f"not valid JSON: {e.msg}") from e
    if not isinstance(body, dict):
        raise EvidenceError("byte 0", "not a JSON object")
    return body


def _check_entry(raw: object, cp: Checkpoint, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("entry"), str) or not isinstance(raw.get("index"), int):
        raise EvidenceError(where, "needs index, entry and proof")
    entry = raw["entry"].encode()
    try:
        event = json.loads(entry)
    except json.JSONDecodeError as e:
        raise EvidenceError(f"{where}, byte {e.pos} of its entry", f"not valid JSON: {e.msg}") from e
    canonical = canonical_json(event)
    if canonical != entry:
        first = next((i for i, (a, b) in enumerate(zip(entry, canonical, strict=False)) if a != b),
                     min(len(entry), len(canonical)))
        raise EvidenceError(f"{where} (id {event.get('id')!r}), byte {first} of its entry",
                            "not the canonical RFC 8785 encoding the log hashed (the entry was changed)")
    try:
        hashes = tuple(base64.b64decode(h, validate=True) for h in raw.get("proof", []))
    except (binascii.Error, TypeError) as e:
        raise EvidenceError(f"{where} proof", f"not base64: {e}") from e
    try:
        verify_inclusion(leaf_hash(entry), raw["index"], cp.size, hashes, cp.root)
    except LedgerError as e:
        raise EvidenceError(f"{where} (id {event.get('id')!r}, log index {raw['index']}) proof",
                            f"the entry is not in the checkpointed tree: {e}") from e
    if not isinstance(event, dict):
        raise EvidenceError(where, "the entry is not an event object")
    return event
