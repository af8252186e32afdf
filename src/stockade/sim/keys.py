"""Deterministic Ed25519 device keys for simulated sources, derived from the seed.

    >>> keys = DeviceKeys(seed=7)
    >>> len(keys.public_b64("G-1")) > 0
    True

The same seed gives the same keys (so signed output stays byte-identical);
``public_keys`` is what a site registers to verify the simulated devices.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class DeviceKeys:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._keys: dict[str, Ed25519PrivateKey] = {}

    def key(self, source: str) -> Ed25519PrivateKey:
        k = self._keys.get(source)
        if k is None:
            raw = hashlib.sha256(f"stockade-sim/{self.seed}/{source}".encode()).digest()
            k = self._keys[source] = Ed25519PrivateKey.from_private_bytes(raw)
        return k

    def sign(self, source: str, payload: bytes) -> bytes:
        return self.key(source).sign(payload)

    def public_b64(self, source: str) -> str:
        raw = self.key(source).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    def public_keys(self) -> dict[str, str]:
        """Every key used so far: source -> base64 raw Ed25519 public key."""
        return {s: self.public_b64(s) for s in sorted(self._keys)}
