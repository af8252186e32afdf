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


def event_json(row: StoredEvent) -> dict[str, Any]:
    body: dict[str, Any] = msgspec.to_builtins(row.event)
    return {"log_seq": row.seq, "event": body}


def rows_response(rows: Sequence[StoredEvent], **extra: Any) -> JSONBytes:
    return JSONBytes(_encoder.encode({**extra, "items": [event_json(r) for r in rows]}))


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
