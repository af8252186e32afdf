"""Device signing keys: a registry file and the check ingest runs on signed events.

A device (door controller, reader, NVR) may sign each SEF/1 event with its
Ed25519 key over the RFC 8785 encoding of the event without ``sig``
(``stockade.events.canonical.signing_payload``). Its public key is registered
with ``stockade keys add-device SOURCE PUBKEY`` into ``<data>/devices.json``.

    >>> keys = DeviceKeys.load(Path("stockade-data/devices.json"))        # doctest: +SKIP
    >>> check = check_event_signature(raw_event, keys, require=site.policy.require_signatures)  # doctest: +SKIP
    >>> check.accepted, check.status, check.reason  # doctest: +SKIP

``check.status`` is what the log records about the signature: ``verified``,
``unsigned`` (allowed), or the rejection.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from stockade.events.canonical import signing_payload
from stockade.ledger.ed25519 import usable_public_key, verify
from stockade.ledger.errors import KeyFileError


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A raw 32-byte Ed25519 public key in base64 or hex."""
    text = text.strip()
    raw: bytes | None = None
    if len(text) == 64:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = None
    if raw is None:
        try:
            raw = base64.b64decode(text, validate=True)
        except binascii.Error as e:
            raise KeyFileError("a device key is 32 bytes of Ed25519 public key, in base64 or hex") from e
    if len(raw) != 32:
        raise KeyFileError(f"a device key is 32 bytes, this one has {len(raw)}")
    if (unusable := usable_public_key(raw)) is not None:
        raise KeyFileError(f"this device key is {unusable}")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_event_signature(raw: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    """True when ``raw["sig"]`` is the key's Ed25519 signature over the event without ``sig``."""
    sig = raw.get("sig")
    if not isinstance(sig, str):
        return False
    try:
        signature = base64.b64decode(sig, validate=True)
    except (binascii.Error, ValueError):
        return False
    return verify(public_key.public_bytes_raw(), signature, signing_payload(raw))


class DeviceKeys:
    """Registered device public keys by source id, stored in a JSON file (public keys only)."""

    def __init__(self, path: Path, keys: dict[str, Ed25519PublicKey] | None = None) -> None:
        self.path = path
        self._keys = dict(keys or {})

    @classmethod
    def load(cls, path: Path) -> DeviceKeys:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, {str(k): parse_public_key(str(v)) for k, v in data["devices"].items()})
        except (ValueError, KeyError, TypeError) as e:
            raise KeyFileError(f"{path} is not a device key file: {e}") from e

    def get(self, source: str) -> Ed25519PublicKey | None:
        return self._keys.get(source)

    def sources(self) -> list[str]:
        return sorted(self._keys)

    def add(self, source: str, public_key: str | Ed25519PublicKey) -> None:
        """Register (or replace) ``source``'s key and save the file."""
        key = parse_public_key(public_key) if isinstance(public_key, str) else public_key
        self._keys[source] = key
        self.save()

    def save(self) -> None:
        data = {"devices": {s: base64.b64encode(k.public_bytes_raw()).decode()
                            for s, k in sorted(self._keys.items())}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.path)


SignatureStatus = Literal["verified", "unsigned", "bad_signature", "unknown_device", "signature_required"]


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The outcome ingest acts on: reject the line unless ``accepted``; log ``status`` with the event."""

    accepted: bool
    status: SignatureStatus
    reason: str = ""


def check_event_signature(raw: dict[str, Any], keys: DeviceKeys, require: Iterable[str] = ()
                          ) -> SignatureCheck:
    """Apply the device-signature rules to one raw event (a dict as received)."""
    source = raw.get("source")
    source = source if isinstance(source, str) else ""
    if "sig" not in raw:
        if source in set(require):
            return SignatureCheck(False, "signature_required",
                                  f"source {source!r} must sign its events (site policy require_signatures)")
        return SignatureCheck(True, "unsigned")
    key = keys.get(source)
    if key is None:
        return SignatureCheck(False, "unknown_device",
                              f"signed by {source!r}, which has no registered key "
                              "(register it with `stockade keys add-device`)")
    if not verify_event_signature(raw, key):
        return SignatureCheck(False, "bad_signature",
                              f"signature does not verify with {source!r}'s registered key")
    return SignatureCheck(True, "verified")
