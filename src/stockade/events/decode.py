"""Strict decoding of SEF/1 events, with errors that name the field and the reason.

    >>> from stockade.events.decode import decode_event, EventError
    >>> try:
    ...     decode_event(b'{"id":"e1","kind":"door","ts":"2026-11-21T02:00:00Z",'
    ...                  b'"site":"s","source":"x","door":"D1","state":"ajar"}')
    ... except EventError as e:
    ...     print(e.field, "-", e.reason)
    state - Invalid enum value 'ajar'

Decoding is done once, at the edge; inside Stockade, code trusts the types. Beyond
the types, :mod:`stockade.events.limits` bounds nesting, integers, numbers and text
(each refusal names the field).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import msgspec

from stockade.events.errors import EventError
from stockade.events.limits import (
    BIG_INTEGER_REASON,
    COUNTER_REASON,
    MAX_SAFE_INTEGER,
    NumberError,
    as_doubles,
    diagnose,
    nesting_error,
)
from stockade.events.model import Event

MAX_FUTURE = timedelta(minutes=5)
"""How far ahead of the server's clock an event may be, unless the node's ``max_future_s`` says otherwise."""

_decoder = msgspec.json.Decoder(Event)
_array_decoder = msgspec.json.Decoder(list[msgspec.Raw])
_PATH = re.compile(r"^(?P<msg>.*) - at `\$(?P<path>[^`]*)`$", re.S)
_MISSING = re.compile(r"Object missing required field `(?P<f>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<f>[^`]+)`")


def _translate(err: msgspec.DecodeError, raw: bytes | str) -> EventError:
    """Turn msgspec's message into (field, reason) a user can act on."""
    text = str(err)
    m = _PATH.match(text)
    msg, path = (m.group("msg"), m.group("path")) if m else (text, "")
    field = path.lstrip(".")
    if str(MAX_SAFE_INTEGER) in msg:
        return EventError(field, COUNTER_REASON)
    if msg.endswith("got `bool`") and ("int" in msg or "float" in msg):
        return EventError(field, f"a number is wanted here, not a boolean ({msg})")
    if msg == "Number out of range":
        return EventError(field, "number out of range: RFC 8785 / I-JSON numbers are finite IEEE doubles")
    if mm := _MISSING.search(msg):
        return EventError(_join(field, mm.group("f")), "missing required field")
    if mm := _UNKNOWN.search(msg):
        return EventError(_join(field, mm.group("f")), "unknown field")
    if field == "kind" and msg.startswith("Invalid value"):
        return EventError("kind", f"unknown kind {msg.removeprefix('Invalid value ')}")
    if msg.startswith("Object missing required field `kind`"):
        return EventError("kind", "missing required field")
    if field == "id" and "matching regex" in msg:
        return EventError("id", "must be 1-128 characters of [A-Za-z0-9._:-]")
    if "datetime" in msg or "timezone" in msg or "Invalid RFC3339" in msg:
        return EventError(field or "ts", f"not an RFC 3339 time with offset ({msg})")
    if not m and not isinstance(err, msgspec.ValidationError):
        found = diagnose(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
        return EventError(*found) if found is not None else EventError("", f"malformed JSON: {msg}")
    return EventError(field, msg)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def decode_stored(raw: bytes) -> Event:
    """Decode bytes Stockade wrote itself (a log entry it accepted): types only, no limits re-checked.

    The one event decoder of the project; anything from outside goes through :func:`decode_event`.

        >>> decode_stored(b'{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00Z","site":"s","source":"bus"}').kind
        'tick'
    """
    event: Event = _decoder.decode(raw)
    return event


def span_text(span: timedelta) -> str:
    """A clock limit as a message states it.

        >>> span_text(timedelta(minutes=5)), span_text(timedelta(seconds=90)), span_text(timedelta(hours=1))
        ('5 minutes', '90 seconds', '1 hour')
    """
    seconds = span.total_seconds()
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}" if n == 1 else f"{n} {unit}s"
    return "1 second" if seconds == 1 else f"{seconds:g} seconds"


def skew_reason(ts: datetime, now: datetime, limit: timedelta = MAX_FUTURE, *, either_way: bool = False) -> str | None:
    """Why ``ts`` is refused against the server's clock ``now``, or None: more than ``limit`` ahead
    (or, ``either_way``, behind too). The one home of the clock-skew rule; the message states ``limit``.

        >>> from datetime import UTC
        >>> now = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
        >>> skew_reason(now + timedelta(seconds=45), now, timedelta(seconds=30))
        "2026-11-21T02:00:45+00:00 is more than 30 seconds ahead of the server's clock"
        >>> hour_ago = now - timedelta(hours=1)
        >>> skew_reason(hour_ago, now) is None, skew_reason(hour_ago, now, either_way=True)
        (True, "2026-11-21T01:00:00+00:00 is more than 5 minutes from the server's clock")
    """
    if either_way and abs(ts - now) > limit:
        return f"{ts.isoformat()} is more than {span_text(limit)} from the server's clock"
    if ts - now > limit:
        return f"{ts.isoformat()} is more than {span_text(limit)} ahead of the server's clock"
    return None


def decode_event(data: bytes | str, *, now: datetime | None = None, max_future: timedelta = MAX_FUTURE) -> Event:
    """Decode one SEF/1 event. With ``now``, reject a ``ts`` more than ``max_future`` ahead (:func:`skew_reason`)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if (too_deep := nesting_error(raw)) is not None:
        raise EventError(*too_deep)
    try:
        event: Event = _decoder.decode(raw)
    except msgspec.DecodeError as e:
        raise _translate(e, raw) from e
    if now is not None and (too_far := skew_reason(event.ts, now, max_future)) is not None:
        raise EventError("ts", too_far)
    return _numbers_checked(event)


@functools.cache
def _number_fields(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    """Fields of ``cls`` that take an int or a float (not ``attrs``)."""
    info = msgspec.inspect.type_info(cls)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"{cls!r} is not a msgspec Struct")
    out = []
    for f in info.fields:
        kinds = f.type.types if isinstance(f.type, msgspec.inspect.UnionType) else (f.type,)
        if any(isinstance(t, msgspec.inspect.FloatType) for t in kinds):
            out.append(f.name)
    return tuple(out)


def _numbers_checked(event: Event) -> Event:
    """Integers beyond ±(2**53 - 1) in number fields and ``attrs`` become the double that holds
    them exactly, or the event is refused (``stockade.events.limits``)."""
    changes: dict[str, object] = {}
    try:
        for name in _number_fields(type(event)):
            v = getattr(event, name)
            if type(v) is int and (p := as_doubles(v, name)) is not v:
                changes[name] = p
        if event.attrs and (attrs := as_doubles(event.attrs, "attrs")) is not event.attrs:
            changes["attrs"] = attrs
    except NumberError as e:
        raise EventError(e.field, BIG_INTEGER_REASON) from None
    return msgspec.structs.replace(event, **changes) if changes else event


def split_body(body: bytes) -> Iterator[bytes]:
    """Split a bulk body into one raw line per event: NDJSON, or a JSON array.

    Raises ``EventError`` only when a JSON array body is not readable at all; a bad
    NDJSON line is returned as-is, to be rejected on its own.
    """
    stripped = body.lstrip()
    if stripped.startswith(b"["):
        try:
            items = _array_decoder.decode(stripped)
        except msgspec.DecodeError as e:
            raise EventError("", f"body is not a readable JSON array: {e}") from e
        except RecursionError:  # an element nested past msgspec's limit: split by hand, refuse it alone
            yield from _split_array(stripped)
            return
        for raw in items:
            yield bytes(raw)
        return
    for line in body.split(b"\n"):
        if line.strip():
            yield line


_ARRAY_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def _split_array(body: bytes) -> Iterator[bytes]:
    """The elements of a JSON array body, found by bracket depth (strings skipped); each element,
    however deep, is returned as-is to be refused on its own by :func:`decode_event`."""
    depth, start = 0, 1
    for m in _ARRAY_TOKEN.finditer(body):
        tok = m.group()
        if tok in (b"[", b"{"):
            depth += 1
        elif tok in (b"]", b"}"):
            depth -= 1
            if depth == 0:
                if body[start:m.start()].strip():
                    yield body[start:m.start()].strip()
                return
        elif tok == b"," and depth == 1:
            yield body[start:m.start()].strip()
            start = m.end()
    raise EventError("", "body is not a readable JSON array: it does not end")
