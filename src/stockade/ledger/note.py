"""C2SP signed notes: parse, format, sign and open (verify) notes; Ed25519 note keys.

A signed note (c2sp.org/signed-note) is UTF-8 text ending in a newline, a blank
line, then signature lines ``— <key name> base64(key ID || signature)``. Stockade
signs its checkpoints as notes, and reads notes signed by anyone in the
ecosystem (Go's checksum database, Sigstore, witnesses).

    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> signer = Ed25519Signer("example.com/log", Ed25519PrivateKey.generate())
    >>> note = sign_note("hello\\n", [signer])
    >>> open_note(note, [signer.verifier()]).text
    'hello\\n'

Opening a note follows the spec's "Signatures" rules: signatures from unknown
keys (name and key ID not both known) are ignored; a known key's signature that
fails makes the whole note fail; at least one known key must have signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stockade.ledger.ed25519 import verify
from stockade.ledger.errors import NoteError

EM_DASH = "\u2014"
MAX_SIGNATURES = 64
"""The spec asks verifiers to accept at least 16; post-quantum lines are ~3.3 kB each."""

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
ALG_MLDSA44_COSIGNATURE = 0x06


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """SHA-256(key name || 0x0A || signature type || public key)[:4] — signed-note "Signatures"."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def check_key_name(name: str) -> str:
    """Key names are non-empty and hold no Unicode space and no ``+`` (signed-note "Format")."""
    if not name or "+" in name or any(c.isspace() for c in name) or not name.isprintable():
        raise NoteError(f"invalid key name {name!r}: it must be non-empty, with no spaces and no '+'")
    return name


class Verifier(Protocol):
    """Something that checks one kind of signature line: identified by ``(name, key_id)``."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    @property
    def alg(self) -> int: ...

    @property
    def public_key(self) -> bytes: ...

    def verify(self, text: bytes, signature: bytes) -> bool: ...


class Signer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, text: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: the key it names and the signature bytes after the 4-byte key ID."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{EM_DASH} {self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True, slots=True)
class Note:
    """A parsed note: its text (ending in a newline) and every signature line, verified or not."""

    text: str
    signatures: tuple[Signature, ...]

    def encode(self) -> bytes:
        return (self.text + "\n" + "".join(s.line() for s in self.signatures)).encode()


def _check_chars(s: str) -> None:
    for c in s:
        if c < " " and c != "\n":
            raise NoteError(f"control character U+{ord(c):04X} in a note")


def parse_signature_line(line: str) -> Signature:
    """``— <name> <base64>`` without its newline."""
    if not line.startswith(EM_DASH + " "):
        raise NoteError(f"not a signature line: {line[:60]!r}")
    parts = line[2:].split(" ")
    if len(parts) != 2:
        raise NoteError(f"malformed signature line: {line[:60]!r}")
    name, blob64 = parts
    check_key_name(name)
    try:
        blob = base64.b64decode(blob64, validate=True)
    except binascii.Error as e:
        raise NoteError(f"signature of {name!r} is not base64") from e
    if len(blob) < 5:
        raise NoteError(f"signature of {name!r} is too short")
    return Signature(name, int.from_bytes(blob[:4], "big"), blob[4:])


def parse_note(data: bytes | str) -> Note:
    """Split a signed note into text and signature lines; checks the format, not the signatures."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise NoteError("a note must be valid UTF-8") from e
    _check_chars(data)
    if not data.endswith("\n"):
        raise NoteError("a note must end with a newline")
    cut = data.rfind("\n\n")
    if cut < 0:
        raise NoteError("a note needs a blank line between its text and its signatures")
    text, sig_block = data[:cut + 1], data[cut + 2:]
    lines = sig_block.split("\n")[:-1]
    if not lines:
        raise NoteError("a note has no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note with {len(lines)} signatures (at most {MAX_SIGNATURES} accepted)")
    return Note(text, tuple(parse_signature_line(s) for s in lines))


def open_note(data: bytes | str | Note, verifiers: Sequence[Verifier]) -> Note:
    """Verify a note against trusted keys; returns it with only the verified signatures kept.

    Raises :class:`NoteError` naming the key when a known key's signature fails,
    or when no known key signed (signed-note "Signatures").
    """
    note = data if isinstance(data, Note) else parse_note(data)
    text = note.text.encode()
    known = {(v.name, v.key_id): v for v in verifiers}
    good: list[Signature] = []
    for sig in note.signatures:
        v = known.get((sig.name, sig.key_id))
        if v is None:
            continue  # unknown keys are ignored, even if they share a name or an ID with a known one
        if not v.verify(text, sig.signature):
            raise NoteError(f"the signature by {sig.name} (key {sig.key_id:08x}) does not verify")
        good.append(sig)
    if not good:
        names = ", ".join(sorted({f"{v.name}+{v.key_id:08x}" for v in verifiers})) or "none"
        raise NoteError(f"no signature from a trusted key (trusted: {names})")
    return Note(note.text, tuple(good))


def sign_note(text: str, signers: Sequence[Signer]) -> bytes:
    """A signed note of ``text`` with one line per signer, in order."""
    _check_chars(text)
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    raw = text.encode()
    sigs = tuple(Signature(s.name, s.key_id, s.sign(raw)) for s in signers)
    return Note(text, sigs).encode()


def add_signatures(note: bytes, lines: Sequence[Signature]) -> bytes:
    """The note with extra signature lines (e.g. witness cosignatures); duplicates are dropped."""
    parsed = parse_note(note)
    out = list(parsed.signatures)
    for s in lines:
        if s not in out:
            out.append(s)
    return Note(parsed.text, tuple(out)).encode()


@dataclass(frozen=True, slots=True)
class Ed25519Verifier:
    """A note key of type 0x01: Ed25519 over the note text (signed-note "Ed25519 signatures")."""

    name: str
    public_key: bytes
    alg: int = ALG_ED25519

    @property
    def key_id(self) -> int:
        return key_id(self.name, ALG_ED25519, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        return verify(self.public_key, signature, text)


class Ed25519Signer:
    """Signs note text with an Ed25519 key under a key name (normally the log's origin)."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self.name = check_key_name(name)
        self._key = key
        self.public_key = key.public_key().public_bytes_raw()
        self.key_id = key_id(name, ALG_ED25519, self.public_key)

    def sign(self, text: bytes) -> bytes:
        return self._key.sign(text)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.name, self.public_key)

    def __repr__(self) -> str:  # never show key material
        return f"Ed25519Signer({self.name!r}, key_id={self.key_id:08x})"
