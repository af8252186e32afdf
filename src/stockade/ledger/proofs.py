"""Offline proofs that an event is in a site's log: C2SP tlog-proof files.

A proof (c2sp.org/tlog-proof) holds the entry index, the RFC 9162 inclusion
proof and the signed checkpoint (with any witness cosignatures). Stockade puts
the entry itself — the event's RFC 8785 encoding — in the ``extra`` line, so
the file is all an auditor needs: ``stockade ledger verify-proof FILE --vkey
KEY`` hashes the entry, walks the proof to the root and checks the signature.
``extra`` is unauthenticated by the format, but here it is what gets hashed,
so a changed entry fails the inclusion check.

    >>> proof = write_proof(log, 41, Path("event-41.tlog-proof"))      # doctest: +SKIP
    >>> verify_proof(Path("event-41.tlog-proof").read_bytes(), [parse_vkey(VKEY)]).entry  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stockade.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from stockade.ledger.errors import LedgerError, NoteError, ProofError
from stockade.ledger.log import SiteLog
from stockade.ledger.merkle import leaf_hash, verify_inclusion
from stockade.ledger.note import Verifier, parse_note

HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True, slots=True)
class TlogProof:
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: bytes
    extra: bytes | None = None

    def encode(self) -> bytes:
        """The tlog-proof text — c2sp.org/tlog-proof "Format"."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.hashes)
        return ("\n".join(lines) + "\n\n").encode() + self.checkpoint


def parse_proof(data: bytes) -> TlogProof:
    """Parse a tlog-proof file; the checkpoint is kept verbatim."""
    head, sep, checkpoint = data.partition(b"\n\n")
    if not sep:
        raise ProofError("a tlog-proof needs an empty line before its checkpoint")
    try:
        lines = head.decode("ascii").split("\n")
    except UnicodeDecodeError as e:
        raise ProofError("tlog-proof header lines must be ASCII") from e
    if lines[0] != HEADER:
        raise ProofError(f"not a tlog-proof: first line must be {HEADER!r}")
    pos, extra = 1, None
    try:
        if len(lines) > pos and lines[pos].startswith("extra "):
            extra = base64.b64decode(lines[pos][6:], validate=True)
            pos += 1
        if len(lines) <= pos or not lines[pos].startswith("index "):
            raise ProofError("tlog-proof has no 'index N' line")
        index_s = lines[pos][6:]
        if not index_s.isdigit() or (index_s != "0" and index_s.startswith("0")):
            raise ProofError(f"bad index {index_s!r}")
        hashes = tuple(base64.b64decode(h, validate=True) for h in lines[pos + 1:])
    except binascii.Error as e:
        raise ProofError("tlog-proof holds a line that is not base64") from e
    return TlogProof(int(index_s), hashes, checkpoint, extra)


def make_proof(log: SiteLog, index: int, extra: bytes | None = None) -> TlogProof:
    """A proof for entry ``index`` against the latest checkpoint (signing a new one if needed),
    checked before it is returned: ``ProofError`` if it does not verify."""
    note = log.latest_checkpoint()
    cp = parse_checkpoint(parse_note(note).text) if note else None
    if note is None or cp is None or cp.size <= index:
        note = log.checkpoint()
        cp = parse_checkpoint(parse_note(note).text)
    entry = log.entry(index)
    hashes = tuple(log.inclusion_proof(index, cp.size))
    try:  # never hand out a proof that fails its own check (a damaged tile would make one)
        verify_inclusion(leaf_hash(entry), index, cp.size, hashes, cp.root)
    except LedgerError as e:
        raise ProofError(f"the proof of entry {index} does not verify against the checkpoint at size "
                         f"{cp.size} ({e}): the log's tiles are damaged; run `stockade ledger verify`") from e
    return TlogProof(index, hashes, note, entry if extra is None else extra)


def write_proof(log: SiteLog, index: int, out: Path, extra: bytes | None = None) -> TlogProof:
    """Write entry ``index``'s proof to ``out`` (the entry goes in ``extra`` unless given)."""
    proof = make_proof(log, index, extra)
    out.write_bytes(proof.encode())
    return proof


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    index: int
    entry: bytes
    checkpoint: Checkpoint
    signers: tuple[str, ...]
    """Names of the keys whose signatures verified (the log, and any trusted witnesses)."""


def verify_proof(data: bytes, verifiers: Sequence[Verifier], entry: bytes | None = None,
                 origin: str | None = None) -> VerifiedProof:
    """Check a tlog-proof offline: signature, then inclusion of ``entry`` (default: the ``extra`` data)."""
    proof = parse_proof(data)
    entry = proof.extra if entry is None else entry
    if entry is None:
        raise ProofError("the proof carries no entry (no 'extra' line); pass the entry to check")
    try:
        signed = open_checkpoint(proof.checkpoint, verifiers, origin)
    except NoteError as e:
        raise ProofError(f"the proof's checkpoint does not verify: {e}") from e
    cp = signed.checkpoint
    try:
        verify_inclusion(leaf_hash(entry), proof.index, cp.size, proof.hashes, cp.root)
    except LedgerError as e:
        raise ProofError(f"entry {proof.index} is not in the checkpointed tree: {e}") from e
    return VerifiedProof(proof.index, entry, cp, tuple(s.name for s in signed.note.signatures))
