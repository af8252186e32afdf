"""Reference verifier of Stockade's signed door commands, for controller makers.

A command arrives on ``stockade/<site>/door/<door>/set`` as one JSON object:

    {"v": 1, "command": "LOCK", "site": "dc-demo", "door": "D-DOCK-2", "incident": "inc-…",
     "approval": "ap-…" or null, "intent": "…", "counter": 1764573296000123,
     "not_after": 1764573326, "key": "9f2c…", "sig": "<base64 Ed25519>"}

``sig`` is an Ed25519 signature by the node's door-command key over the RFC 8785
canonical JSON of the object without ``sig``. A controller keeps the node's public
key(s) (``key`` is the first 16 hex digits of SHA-256 of the raw 32-byte key) and, per
door, the highest ``counter`` it accepted; it refuses a command that is forged, for
another site or door, replayed (counter not above the last one), or past ``not_after``
(Unix seconds). This module depends only on ``cryptography`` and ``rfc8785`` so it can be
copied into a controller's bridge as it is; test vectors: ``tests/unit/connectors/mqtt/door_vectors.json``.

    >>> verdict = verify_command(payload, keys=[public_key], site="dc-demo", door="D-DOCK-2",
    ...                          last_counter=0, now_s=time.time())              # doctest: +SKIP
    >>> verdict.ok, verdict.reason                                                # doctest: +SKIP
    (True, 'ok')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rfc8785
from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

FIELDS = ("v", "command", "site", "door", "incident", "approval", "intent", "counter", "not_after", "key", "sig")
COMMANDS = ("LOCK", "UNLOCK")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str
    counter: int = 0
    command: str = ""
    intent: str = ""


def key_id(public_raw: bytes) -> str:
    """A key's id: the first 16 hex digits of SHA-256 of its raw 32 bytes."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def signed_bytes(command: dict[str, Any]) -> bytes:
    """What is signed: RFC 8785 of the command without ``sig``."""
    return bytes(rfc8785.dumps({k: v for k, v in command.items() if k != "sig"}))


def _refuse(reason: str, body: dict[str, Any] | None = None) -> Verdict:
    intent = body.get("intent") if body else None
    return Verdict(False, reason, intent=intent if isinstance(intent, str) else "")


def _shape(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "a command is a JSON object"
    if missing := [f for f in FIELDS if f not in body]:
        return f"missing field(s): {', '.join(missing)}"
    if extra := sorted(set(body) - set(FIELDS)):
        return f"unknown field(s): {', '.join(extra)}"
    if body["v"] != 1:
        return f"unsupported version {body['v']!r}"
    if body["command"] not in COMMANDS:
        return f"command must be LOCK or UNLOCK, not {body['command']!r}"
    for name in ("counter", "not_after"):
        if type(body[name]) is not int or body[name] < 0:
            return f"{name} must be a non-negative integer"
    for name in ("site", "door", "incident", "intent", "key", "sig"):
        if not isinstance(body[name], str):
            return f"{name} must be a string"
    if body["approval"] is not None and not isinstance(body["approval"], str):
        return "approval must be a string or null"
    return None


def verify_command(
    payload: bytes, *, keys: Iterable[bytes], site: str, door: str, last_counter: int, now_s: float
) -> Verdict:
    """Accept a command only if it is well formed, signed by one of ``keys`` (raw Ed25519 public
    keys), meant for this site and door, newer than ``last_counter`` and not expired at ``now_s``."""
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return _refuse("not JSON")
    if (bad := _shape(body)) is not None:
        return _refuse(bad, body if isinstance(body, dict) else None)
    by_id = {key_id(k): k for k in keys}
    public = by_id.get(body["key"])
    if public is None:
        return _refuse(f"unknown key {body['key'][:32]!r}", body)
    try:
        sig = base64.b64decode(body["sig"], validate=True)
        VerifyKey(public).verify(signed_bytes(body), sig)  # libsodium, as stockade.ledger.ed25519: strict
    except (CryptoError, binascii.Error, ValueError, TypeError):
        return _refuse("bad signature (forged or altered)", body)
    except rfc8785.CanonicalizationError:
        return _refuse("cannot be canonicalized (RFC 8785)", body)
    if body["site"] != site or body["door"] != door:
        return _refuse(f"meant for {body['site']}/{body['door']}, not {site}/{door}", body)
    if body["counter"] <= last_counter:
        return _refuse(f"replayed: counter {body['counter']} is not above {last_counter}", body)
    if now_s > body["not_after"]:
        return _refuse(f"expired at {body['not_after']} (now {int(now_s)})", body)
    return Verdict(True, "ok", body["counter"], body["command"], body["intent"])
