"""Strict decoding of SEF/1 events, with errors that name the field and the reason.

    >>> from stockade.events.decode import decode_event, EventError
    >>> try:
    ...     decode_event(b'{"id":"e1","kind":"door","ts":"2026-11-21T02:00:00Z",'
    ...                  b'"site":"s","source":"x","door":"D1","state":"ajar"}')
    ... except EventError as e:
    ...     print(e.field, "-", e.reason)
    state - Invalid enum value 'ajar'

Decoding is done once, at the edge; inside Stockade, code trusts the types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import msgspec

from stockade.events.errors import EventError
from stockade.events.model import Event

MAX_FUTURE = timedelta(minutes=5)

_decoder = msgspec.json.Decoder(Event)
_array_decoder = msgspec.json.Decoder(list[msgspec.Raw])
_PATH = re.compile(r"^(?P<msg>.*) - at `\$(?P<path>[^`]*)`$", re.S)
_MISSING = re.compile(r"Object missing required field `(?P<f>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<f>[^`]+)`")


def _translate(err: msgspec.DecodeError) -> EventError:
    """Turn msgspec's message into (field, reason) a user can act on."""
    text = str(err)
    m = _PATH.match(text)
    msg, path = (m.group("msg"), m.group("path")) if m else (text, "")
    field = path.lstrip(".")
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
        return EventError("", f"malformed JSON: {msg}")
    return EventError(field, msg)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def decode_event(data: bytes | str, *, now: datetime | None = None) -> Event:
    """Decode one SEF/1 event. With ``now``, reject a ``ts`` more than 5 minutes ahead."""
    try:
        event: Event = _decoder.decode(data)
    except msgspec.DecodeError as e:
        raise _translate(e) from e
    if now is not None and event.ts - now > MAX_FUTURE:
        raise EventError("ts", f"{event.ts.isoformat()} is more than 5 minutes ahead of the server")
    return event


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
        for raw in items:
            yield bytes(raw)
        return
    for line in body.split(b"\n"):
        if line.strip():
            yield line
