"""RFC 8785 (JSON Canonicalization Scheme) encoding of events.

The ledger's entries and device signatures are over this encoding. The fast
path is msgspec with sorted keys, which is byte-identical to RFC 8785 for what
SEF/1 events hold: ASCII keys, strings, integers within ±(2**53 - 1), and floats
that are neither integral nor in exponent form; an integral float, wherever it
sits (a field, ``attrs``, a list inside ``attrs``), is written as an integer
first, as ECMAScript's ``Number.prototype.toString`` does (``2.0`` → ``2``).
Anything else takes the reference path (the ``rfc8785`` package) so the output
is always canonical. The tests check both paths against the number vectors the
RFC's authors publish (tests/unit/events/vectors/).

    >>> canonical_json({"b": 1, "a": [1.5, "x"]})
    b'{"a":[1.5,"x"],"b":1}'

Timestamps are encoded as msgspec writes a ``datetime`` (RFC 3339, offset kept,
``Z`` for UTC), so an event's canonical form is a function of its decoded value.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime
from typing import Any

import msgspec
import rfc8785

from stockade.events.errors import EventError
from stockade.events.limits import BIG_INTEGER_REASON, NumberError, as_doubles
from stockade.events.model import Envelope

_encoder = msgspec.json.Encoder(order="sorted")
_MAX_SAFE_INTEGER = 2**53 - 1  # I-JSON (RFC 7493): larger integers are not interoperable


class _NeedsReference(Exception):
    """The value holds something only the reference implementation writes correctly."""


def _prepared(value: Any) -> Any:
    """``value`` made ready for msgspec's sorted encoder to write exactly RFC 8785.

    Returns ``value`` itself (the same object) when nothing in it needs changing, so a caller
    tells "changed" by identity: comparing with ``==`` would miss ``{"a": 2.0}`` becoming
    ``{"a": 2}``, since ``2 == 2.0`` in Python.

    Strings, integers, booleans and timestamps already match (checked against the
    reference in the tests). An integral float is written by RFC 8785 as an integer,
    so it becomes one; other floats match where neither writes an exponent. Object keys must
    be ASCII, where code-point and UTF-16 orders agree. Integers beyond ±(2**53 - 1) and
    anything else raise :class:`_NeedsReference`.
    """
    kind = type(value)
    if kind is float:
        if value.is_integer():
            if abs(value) > _MAX_SAFE_INTEGER:
                raise _NeedsReference
            return int(value)
        # Both write plain decimals in [1e-4, 1e16); outside it their exponent forms differ.
        if not math.isfinite(value) or not 1e-4 <= abs(value) < 1e16:
            raise _NeedsReference
        return value
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if abs(value) > _MAX_SAFE_INTEGER:
            raise _NeedsReference
        return value
    if kind is dict:
        changed: dict[str, Any] | None = None
        for k, v in value.items():
            if type(k) is not str or not k.isascii():
                raise _NeedsReference
            p = _prepared(v)
            if p is not v:
                if changed is None:
                    changed = dict(value)
                changed[k] = p
        return value if changed is None else changed
    if kind is list or kind is tuple:
        items = [_prepared(v) for v in value]
        return items if any(p is not v for p, v in zip(items, value, strict=True)) else value
    if isinstance(value, msgspec.Struct):
        return _prepared_struct(value)
    if isinstance(value, datetime):
        return value
    raise _NeedsReference  # a subclass of int, float, str, dict or list, or another type: let the reference judge


def _may_differ(t: msgspec.inspect.Type) -> bool:
    """Whether a field of type ``t`` can hold a number (or a container of them)."""
    if isinstance(t, msgspec.inspect.FloatType | msgspec.inspect.IntType | msgspec.inspect.AnyType):
        return True
    if isinstance(t, msgspec.inspect.UnionType):
        return any(_may_differ(x) for x in t.types)
    if isinstance(t, msgspec.inspect.ListType | msgspec.inspect.TupleType | msgspec.inspect.VarTupleType):
        items = getattr(t, "item_type", None)
        return items is None or _may_differ(items)
    if isinstance(t, msgspec.inspect.DictType):
        return True
    return isinstance(t, msgspec.inspect.StructType)


@functools.cache
def _risky_fields(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    """Fields of ``cls`` whose values can differ between msgspec and RFC 8785."""
    info = msgspec.inspect.type_info(cls)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"{cls!r} is not a msgspec Struct")
    return tuple(f.name for f in info.fields if _may_differ(f.type))


def _prepared_struct(value: msgspec.Struct) -> msgspec.Struct:
    changes = {}
    for name in _risky_fields(type(value)):
        v = getattr(value, name)
        if v is None:
            continue
        kind = type(v)
        if kind is float:  # the common case (rssi, score), checked here rather than by a call
            if not v.is_integer() and 1e-4 <= abs(v) < 1e16:
                continue
            p = _prepared(v)  # NaN and the infinities fail the range and raise there
            changes[name] = p
            continue
        if kind is str:
            continue
        if kind is int:  # the common case (seq, count), checked here rather than by a call
            if -_MAX_SAFE_INTEGER <= v <= _MAX_SAFE_INTEGER:
                continue
            raise _NeedsReference
        p = _prepared(v)
        if p is not v:
            changes[name] = p
    return msgspec.structs.replace(value, **changes) if changes else value


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of any JSON-compatible value or msgspec struct."""
    try:
        return _encoder.encode(_prepared_struct(value) if isinstance(value, msgspec.Struct) else _prepared(value))
    except _NeedsReference:
        pass
    try:
        # A JSON integer beyond 2**53 that a double holds exactly is that double (RFC 8785 §3.2.2.3);
        # one no double holds is refused by the reference below.
        return bytes(rfc8785.dumps(as_doubles(msgspec.to_builtins(value))))
    except NumberError as e:
        raise EventError(e.field or "attrs", f"value cannot be canonicalized (RFC 8785 / I-JSON): "
                                             f"{BIG_INTEGER_REASON}") from e
    except rfc8785.CanonicalizationError as e:
        raise EventError("attrs", f"value cannot be canonicalized (RFC 8785 / I-JSON): {e}") from e


def canonical_event(event: Envelope) -> bytes:
    """The ledger entry of ``event``: its RFC 8785 encoding, ``kind`` included."""
    try:  # canonical_json's struct path, without its dispatch (once per event on ingest)
        return _encoder.encode(_prepared_struct(event))
    except _NeedsReference:
        return canonical_json(event)


def signing_payload(raw: dict[str, Any]) -> bytes:
    """What a device signs: RFC 8785 of the event as sent, without ``sig``."""
    return canonical_json({k: v for k, v in raw.items() if k != "sig"})
