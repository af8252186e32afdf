"""RFC 8785 (JSON Canonicalization Scheme) encoding of events.

The ledger's entries and device signatures are over this encoding. The fast
path is msgspec with sorted keys, which is byte-identical to RFC 8785 for what
SEF/1 events hold: ASCII keys, strings, integers and floats that are neither
integral nor in exponent form. Anything else takes the reference path (the
``rfc8785`` package) so the output is always canonical.

    >>> canonical_json({"b": 1, "a": [1.5, "x"]})
    b'{"a":[1.5,"x"],"b":1}'

Timestamps are encoded as msgspec writes a ``datetime`` (RFC 3339, offset kept,
``Z`` for UTC), so an event's canonical form is a function of its decoded value.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
import rfc8785

from stockade.events.model import Envelope

_encoder = msgspec.json.Encoder(order="sorted")


def _fast_path_safe(value: Any) -> bool:
    """True when msgspec's sorted output equals RFC 8785 for ``value``."""
    if isinstance(value, float):
        return math.isfinite(value) and not value.is_integer() and 1e-6 <= abs(value) < 1e21
    if isinstance(value, str | int | bool) or value is None:
        return True
    if isinstance(value, dict):
        return all(k.isascii() and _fast_path_safe(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_fast_path_safe(v) for v in value)
    return isinstance(value, msgspec.Struct)  # nested structs are checked by the caller


def _struct_safe(event: msgspec.Struct) -> bool:
    for name in event.__struct_fields__:
        v = getattr(event, name)
        if isinstance(v, msgspec.Struct):
            if not _struct_safe(v):
                return False
        elif not _fast_path_safe(v):
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of any JSON-compatible value or msgspec struct."""
    if isinstance(value, msgspec.Struct):
        if _struct_safe(value):
            return _encoder.encode(value)
        value = msgspec.to_builtins(value)
    elif _fast_path_safe(value):
        return _encoder.encode(value)
    return bytes(rfc8785.dumps(msgspec.to_builtins(value)))


def canonical_event(event: Envelope) -> bytes:
    """The ledger entry of ``event``: its RFC 8785 encoding, ``kind`` included."""
    return canonical_json(event)


def signing_payload(raw: dict[str, Any]) -> bytes:
    """What a device signs: RFC 8785 of the event as sent, without ``sig``."""
    return bytes(rfc8785.dumps({k: v for k, v in raw.items() if k != "sig"}))
