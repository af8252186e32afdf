"""C2SP tlog-cosignature: Ed25519 ``cosignature/v1`` (type 0x04) and ML-DSA-44 ``subtree/v1`` (0x06).

A cosignature is a note signature over a checkpoint whose bytes are a
``timestamped_signature``: a big-endian u64 POSIX time, then the signature
(c2sp.org/tlog-cosignature, "Format").

* Ed25519 (0x04) signs ``cosignature/v1\\ntime <t>\\n`` followed by the whole
  checkpoint text ("Ed25519 signed message"). Witnesses (``stockade witness``)
  cosign partner logs with it, as tlog-witness asks.
* ML-DSA-44 (0x06) signs the binary ``cosigned_message`` (label
  ``subtree/v1\\n\\0``, cosigner name, time, origin, start=0, end=size, root;
  "ML-DSA-44 signed message"). Stockade's own log signs every checkpoint this
  way too, with its key name set to the origin: tlog-checkpoint recommends it,
  and it is the only post-quantum note signature the C2SP specs define, so a
  client that knows ML-DSA-44 cosignatures can check it with a standard vkey.
  ML-DSA-44 (NIST level 2) is the parameter set the spec chose: 1312-byte
  keys and 2420-byte signatures keep a checkpoint near 3.5 kB.

    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> from stockade.ledger.note import sign_note, open_note
    >>> key = Ed25519PrivateKey.generate()
    >>> w = Ed25519CosignatureSigner("witness.example/w1", key, now=lambda: 1700000000)
    >>> note = sign_note("example.com/log\\n1\\n" + "A" * 43 + "=\\n", [w])
    >>> cosignature_time(open_note(note, [w.verifier()]).signatures[0])
    1700000000
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.mldsa import MLDSA44PrivateKey, MLDSA44PublicKey

from stockade.ledger.checkpoint import parse_checkpoint
from stockade.ledger.ed25519 import verify
from stockade.ledger.errors import CheckpointError, NoteError
from stockade.ledger.note import (
    ALG_COSIGNATURE_V1,
    ALG_MLDSA44_COSIGNATURE,
    Signature,
    check_key_name,
    key_id,
)

MLDSA44_PUBLIC_KEY_SIZE = 1312
MLDSA44_SIGNATURE_SIZE = 2420
_LABEL = b"subtree/v1\n\x00"


def cosignature_time(sig: Signature) -> int:
    """The timestamp a cosignature carries (the first 8 bytes after the key ID)."""
    if len(sig.signature) < 8:
        raise NoteError(f"cosignature by {sig.name} is too short")
    return int.from_bytes(sig.signature[:8], "big")


def v1_message(text: bytes, timestamp: int) -> bytes:
    """The Ed25519 cosignature/v1 signed message — tlog-cosignature "Ed25519 signed message"."""
    return b"cosignature/v1\ntime %d\n" % timestamp + text


def subtree_message(cosigner: str, timestamp: int, origin: str, start: int, end: int, root: bytes) -> bytes:
    """The ML-DSA-44 ``cosigned_message`` — tlog-cosignature "ML-DSA-44 signed message" (RFC 8446 §3)."""
    name, org = cosigner.encode(), origin.encode()
    if not 0 < len(name) < 256 or not 0 < len(org) < 256:
        raise NoteError("cosigner name and origin must be 1..255 bytes")
    return (_LABEL + bytes([len(name)]) + name + struct.pack(">Q", timestamp) + bytes([len(org)]) + org
            + struct.pack(">QQ", start, end) + root)


def _checkpoint_message(cosigner: str, text: bytes, timestamp: int) -> bytes:
    try:
        cp = parse_checkpoint(text.decode())
    except (CheckpointError, UnicodeDecodeError) as e:
        raise NoteError("ML-DSA-44 cosignatures sign checkpoints only") from e
    return subtree_message(cosigner, timestamp, cp.origin, 0, cp.size, cp.root)


@dataclass(frozen=True, slots=True)
class Ed25519CosignatureVerifier:
    name: str
    public_key: bytes
    alg: int = ALG_COSIGNATURE_V1

    @property
    def key_id(self) -> int:
        return key_id(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + 64:
            return False
        ts = int.from_bytes(signature[:8], "big")
        if ts >= 1 << 63:
            return False
        return verify(self.public_key, signature[8:], v1_message(text, ts))


class Ed25519CosignatureSigner:
    def __init__(self, name: str, key: Ed25519PrivateKey, now: Callable[[], int] | None = None) -> None:
        self.name = check_key_name(name)
        self._key = key
        self._now = now or (lambda: int(time.time()))
        self.public_key = key.public_key().public_bytes_raw()
        self.key_id = key_id(name, ALG_COSIGNATURE_V1, self.public_key)

    def sign(self, text: bytes) -> bytes:
        ts = self._now()
        return struct.pack(">Q", ts) + self._key.sign(v1_message(text, ts))

    def verifier(self) -> Ed25519CosignatureVerifier:
        return Ed25519CosignatureVerifier(self.name, self.public_key)

    def __repr__(self) -> str:
        return f"Ed25519CosignatureSigner({self.name!r}, key_id={self.key_id:08x})"


@dataclass(frozen=True, slots=True)
class MLDSA44CosignatureVerifier:
    name: str
    public_key: bytes
    alg: int = ALG_MLDSA44_COSIGNATURE

    @property
    def key_id(self) -> int:
        return key_id(self.name, ALG_MLDSA44_COSIGNATURE, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + MLDSA44_SIGNATURE_SIZE:
            return False
        ts = int.from_bytes(signature[:8], "big")
        try:
            message = _checkpoint_message(self.name, text, ts)
            MLDSA44PublicKey.from_public_bytes(self.public_key).verify(signature[8:], message)
        except (InvalidSignature, NoteError):
            return False
        return True


class MLDSA44CosignatureSigner:
    def __init__(self, name: str, key: MLDSA44PrivateKey, now: Callable[[], int] | None = None) -> None:
        self.name = check_key_name(name)
        self._key = key
        self._now = now or (lambda: int(time.time()))
        self.public_key = key.public_key().public_bytes_raw()
        self.key_id = key_id(name, ALG_MLDSA44_COSIGNATURE, self.public_key)

    def sign(self, text: bytes) -> bytes:
        ts = self._now()
        return struct.pack(">Q", ts) + self._key.sign(_checkpoint_message(self.name, text, ts))

    def verifier(self) -> MLDSA44CosignatureVerifier:
        return MLDSA44CosignatureVerifier(self.name, self.public_key)

    def __repr__(self) -> str:
        return f"MLDSA44CosignatureSigner({self.name!r}, key_id={self.key_id:08x})"
