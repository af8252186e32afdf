"""Verifier keys (``vkey``) and Go-style signer keys (``skey``) in the signed-note text form.

A vkey is ``<name>+<hex key ID>+<base64(signature type || public key)>``; it is
how a log, a witness or an auditor's policy names a trusted key (Go
``sumdb/note``, C2SP signed-note and tlog-cosignature "vkeys").

    >>> v = parse_vkey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    >>> v.name, hex(v.key_id)
    ('PeterNeumann', '0xc74f20a3')
    >>> format_vkey(v) == "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    True

Types understood: 0x01 Ed25519 note keys, 0x04 Ed25519 cosignature/v1 keys,
0x06 ML-DSA-44 cosignature keys. Anything else, a wrong key length or a key ID
that does not match is refused.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stockade.ledger.cosignature import (
    MLDSA44_PUBLIC_KEY_SIZE,
    Ed25519CosignatureVerifier,
    MLDSA44CosignatureVerifier,
)
from stockade.ledger.ed25519 import usable_public_key
from stockade.ledger.errors import NoteError
from stockade.ledger.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    ALG_MLDSA44_COSIGNATURE,
    Ed25519Signer,
    Ed25519Verifier,
    Verifier,
    check_key_name,
    key_id,
)

_SIZES = {ALG_ED25519: 32, ALG_COSIGNATURE_V1: 32, ALG_MLDSA44_COSIGNATURE: MLDSA44_PUBLIC_KEY_SIZE}


def _split(text: str, parts: int, what: str) -> list[str]:
    fields = text.strip().split("+", parts - 1)  # base64 may itself hold "+"
    if len(fields) != parts:
        raise NoteError(f"malformed {what}: expected {parts} '+'-separated fields")
    return fields


def _key_blob(b64: str, what: str) -> bytes:
    try:
        blob = base64.b64decode(b64, validate=True)
    except binascii.Error as e:
        raise NoteError(f"{what} key is not base64") from e
    if not blob:
        raise NoteError(f"{what} has no key")
    return blob


def _hex_id(s: str, what: str) -> int:
    if len(s) != 8 or any(c not in "0123456789abcdef" for c in s):
        raise NoteError(f"{what} key ID {s!r} is not 8 lowercase hex digits")
    return int(s, 16)


def verifier_for(name: str, alg: int, public_key: bytes) -> Verifier:
    """The verifier for a key of type ``alg``."""
    if alg not in _SIZES:
        raise NoteError(f"unknown signature type 0x{alg:02x}")
    if len(public_key) != _SIZES[alg]:
        raise NoteError(f"a type 0x{alg:02x} key has {_SIZES[alg]} bytes, not {len(public_key)}")
    if alg in (ALG_ED25519, ALG_COSIGNATURE_V1) and (unusable := usable_public_key(public_key)) is not None:
        raise NoteError(f"{name}: {unusable}")  # a small-order key would "verify" forged signatures
    if alg == ALG_ED25519:
        return Ed25519Verifier(name, public_key)
    if alg == ALG_COSIGNATURE_V1:
        return Ed25519CosignatureVerifier(name, public_key)
    return MLDSA44CosignatureVerifier(name, public_key)


def parse_vkey(vkey: str) -> Verifier:
    """Parse ``name+keyid+base64(type||key)``; the key ID must match the key."""
    name, id_hex, b64 = _split(vkey, 3, "vkey")
    check_key_name(name)
    kid = _hex_id(id_hex, "vkey")
    blob = _key_blob(b64, "vkey")
    verifier = verifier_for(name, blob[0], blob[1:])
    if key_id(name, blob[0], blob[1:]) != kid:
        raise NoteError(f"vkey {name}: key ID {id_hex} does not match the key")
    return verifier


def format_vkey(v: Verifier) -> str:
    return f"{v.name}+{v.key_id:08x}+{base64.b64encode(bytes([v.alg]) + v.public_key).decode()}"


def parse_skey(skey: str) -> Ed25519Signer:
    """Parse Go's ``PRIVATE+KEY+name+keyid+base64(0x01||seed)`` Ed25519 signer key."""
    fields = _split(skey, 5, "signer key")
    if fields[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a signer key starts with PRIVATE+KEY+")
    name, id_hex, b64 = fields[2:]
    kid = _hex_id(id_hex, "signer")
    blob = _key_blob(b64, "signer")
    if blob[0] != ALG_ED25519 or len(blob) != 33:
        raise NoteError("only Ed25519 signer keys (type 0x01, 32-byte seed) are supported")
    signer = Ed25519Signer(name, Ed25519PrivateKey.from_private_bytes(blob[1:]))
    if signer.key_id != kid:
        raise NoteError(f"signer key {name}: key ID {id_hex} does not match the key")
    return signer
