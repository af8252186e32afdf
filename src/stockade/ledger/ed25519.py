"""Ed25519 signature checks, strict, by libsodium (PyNaCl): device events, checkpoints, cosignatures.

    >>> verify(public_key, signature, message)   # doctest: +SKIP
    True

Two reasons for libsodium rather than OpenSSL (``cryptography``, which still makes every signature
and keeps every private key):

* it refuses what a hostile key holder can exploit: a public key of small order (OpenSSL accepts,
  for such a key, one signature that "verifies" every message) and encodings that are not
  canonical (:func:`usable_public_key` says why a key is refused before it is registered);
* it is faster: a check takes about 40 µs where OpenSSL's took about 63 (this machine class), and a
  device's signed events are checked one by one on the ingest path.
"""

from __future__ import annotations

from nacl.bindings import crypto_core_ed25519_is_valid_point
from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def usable_public_key(raw: bytes) -> str | None:
    """Why ``raw`` cannot be a signer's public key, or None when it can: 32 bytes encoding a point of
    the curve's prime-order subgroup, canonically (a small-order key would accept forged signatures)."""
    if len(raw) != PUBLIC_KEY_BYTES:
        return f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes, this one has {len(raw)}"
    if not crypto_core_ed25519_is_valid_point(raw):
        return ("not a usable Ed25519 public key: it is of small order, outside the prime-order subgroup "
                "or not canonically encoded, and would accept forged signatures")
    return None


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is ``public_key``'s Ed25519 signature over ``message`` (RFC 8032, with
    libsodium's checks: canonical S and R, no small-order key or R). Never raises on bad input."""
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        VerifyKey(public_key).verify(message, signature)
    except (CryptoError, ValueError, TypeError):
        return False
    return True
