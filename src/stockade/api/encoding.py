"""JSON responses of events: msgspec encodes the structs directly (fast, exact)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST

from stockade.store import StoredEvent

_encoder = msgspec.json.Encoder()


class JSONBytes(Response):
    media_type = "application/json"


def rows_response(rows: Sequence[StoredEvent], **extra: Any) -> JSONBytes:
    """``{**extra, "items": [{"log_seq": n, "event": <entry>}, …]}`` with each log entry sent as it is
    stored (its RFC 8785 bytes: the event's JSON, never decoded and encoded again)."""
    head = _encoder.encode(extra)[:-1] + (b"," if extra else b"")
    items = b",".join(b'{"log_seq":%d,"event":%s}' % (r.seq, r.entry) for r in rows)
    return JSONBytes(head + b'"items":[' + items + b"]}")


def json_response(value: Any, status_code: int = 200) -> JSONBytes:
    return JSONBytes(_encoder.encode(value), status_code=status_code)


class PlainText(Response):
    media_type = "text/plain; charset=utf-8"


class OctetStream(Response):
    media_type = "application/octet-stream"


class EventStream(Response):
    """Only names the media type in the OpenAPI document; the stream is a StreamingResponse."""

    media_type = "text/event-stream"


class PrometheusText(Response):
    media_type = CONTENT_TYPE_LATEST
