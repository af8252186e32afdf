"""C2SP tlog-checkpoint bodies, and the signer Stockade uses for its own checkpoints.

A checkpoint (c2sp.org/tlog-checkpoint, "Note text") is the note text
``<origin>\\n<tree size>\\n<base64 root>\\n`` plus optional extension lines,
signed as a C2SP signed note. Stockade signs each checkpoint twice under the
log's origin as key name:

* Ed25519, signature type 0x01 — what the tlog-tiles spec requires of any log
  that talks to the public witness network, and what every existing client
  (Go sumdb/note, Sigstore, litewitness, Tessera) verifies;
* ML-DSA-44 as a tlog-cosignature ``subtree/v1`` signature, type 0x06 — the one
  post-quantum note signature the C2SP specs define, which tlog-checkpoint
  itself recommends logs use. See :mod:`stockade.ledger.cosignature`.

    >>> body = Checkpoint("stockade/dc-1", 3, bytes(32)).body()
    >>> print(body, end="")
    stockade/dc-1
    3
    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
    >>> parse_checkpoint(body).size
    3
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from stockade.ledger.errors import CheckpointError
from stockade.ledger.note import Note, Signer, Verifier, open_note, parse_note, sign_note


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: origin, size, root hash, and (rarely) extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text — tlog-checkpoint "Note text"."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint note text (not the signatures) — tlog-checkpoint "Note text"."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise CheckpointError("a checkpoint has at least three non-empty lines: origin, size, root")
    origin, size_s, root_s, *ext = lines
    if not size_s.isdigit() or not size_s.isascii() or (size_s != "0" and size_s.startswith("0")):
        raise CheckpointError(f"tree size {size_s!r} is not a decimal without leading zeroes")
    try:
        root = base64.b64decode(root_s, validate=True)
    except binascii.Error as e:
        raise CheckpointError(f"root hash {root_s!r} is not base64") from e
    if len(root) != 32:
        raise CheckpointError(f"root hash of {len(root)} bytes; SHA-256 has 32")
    return Checkpoint(origin, int(size_s), root, tuple(ext))


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint whose note has been opened: ``note`` keeps only the verified signatures."""

    checkpoint: Checkpoint
    note: Note


def open_checkpoint(data: bytes | str | Note, verifiers: Sequence[Verifier], origin: str | None = None
                    ) -> SignedCheckpoint:
    """Verify a signed checkpoint against trusted keys (and the expected origin, if given)."""
    note = data if isinstance(data, Note) else parse_note(data)
    cp = parse_checkpoint(note.text)
    if origin is not None and cp.origin != origin:
        raise CheckpointError(f"checkpoint origin {cp.origin!r}, expected {origin!r}")
    return SignedCheckpoint(cp, open_note(note, verifiers))


class CheckpointSigner:
    """Signs checkpoint bodies with the log's keys (Ed25519 first, then ML-DSA-44)."""

    def __init__(self, origin: str, signers: Sequence[Signer], verifiers: Sequence[Verifier]) -> None:
        if not signers:
            raise CheckpointError("a checkpoint signer needs at least one key")
        self.origin = origin
        self.signers = tuple(signers)
        self.verifiers = tuple(verifiers)

    def sign(self, checkpoint: Checkpoint) -> bytes:
        if checkpoint.origin != self.origin:
            raise CheckpointError(f"this signer signs for {self.origin!r}, not {checkpoint.origin!r}")
        return sign_note(checkpoint.body(), self.signers)

    def __repr__(self) -> str:
        return f"CheckpointSigner({self.origin!r}, {len(self.signers)} keys)"
