"""Shapes of the API's JSON answers and of the ingest body, for the OpenAPI document.

The routes write their answers with msgspec (:mod:`stockade.api.encoding`);
these models describe those answers (``responses={200: {"model": ...}}``), and a
schemathesis run over every route checks that each answer matches.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from stockade.events.entities import ENTITY_TYPES, EntityType
from stockade.events.model import ENTITY_FIELDS, KINDS

MAX_SEQ = 2**63 - 1
"""The largest log position (the stores keep positions as signed 64-bit integers)."""

ENTITY_TYPE_OF: dict[str, EntityType] = {
    **dict(zip(ENTITY_FIELDS, ENTITY_TYPES, strict=True)), **{t: t for t in ENTITY_TYPES}}
"""``people`` (as in an alert's ``entities``) and ``person`` both name the person type; and so on."""
ENTITY_TYPE_NAMES: tuple[str, ...] = (*ENTITY_TYPES, *ENTITY_FIELDS)
EVENT_KIND_NAMES: tuple[str, ...] = tuple(sorted(KINDS))
"""Every SEF/1 kind, inputs and outputs: a query for a kind that does not exist is a 422 naming it."""


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _rfc3339_only(value: object) -> object:
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError("give a time as RFC 3339 (2026-11-21T02:00:00Z), not a number")
    return value


Rfc3339 = Annotated[datetime, BeforeValidator(_rfc3339_only)]
"""A time in a query parameter: RFC 3339 text only (pydantic would also read ``1.5`` as a Unix time)."""


def entity_type_of(name: str) -> EntityType:
    return ENTITY_TYPE_OF[name]


class LineResult(BaseModel):
    line: int = Field(description="line number in the body (1-based; the element number for a JSON array)")
    status: Literal["accepted", "duplicate", "rejected"] = Field(description="what happened to the line")
    id: str | None = Field(None, description="the event id (accepted and duplicate lines)")
    seq: int | None = Field(None, description="the event's log position (1-based; its log index is seq - 1)")
    field: str | None = Field(None, description="the field that was wrong (rejected lines; '' for the line)")
    reason: str | None = Field(None, description="why the line was rejected")


class IngestAnswer(BaseModel):
    """The answer to ``POST /v1/events``: counts, and one result per line in order."""

    accepted: int
    duplicate: int
    rejected: int
    results: list[LineResult]


class StoredEventOut(BaseModel):
    log_seq: int = Field(description="the event's position in its site's log (1-based)")
    event: dict[str, Any] = Field(description="the SEF/1 event (see the Event schema)")


class EventPage(BaseModel):
    items: list[StoredEventOut]
    next_after_seq: int | None = Field(None, description="pass as after_seq for the next page")


class CursorPage(BaseModel):
    items: list[dict[str, Any]] = Field(description="records in the shape of `stockade analyze --json`")
    next_cursor: str | None = Field(description="pass as cursor for the next page; null when nothing is left")


AlertPage = CursorPage
IncidentPage = CursorPage


class RiskEntry(BaseModel):
    id: str
    score: float = Field(ge=0, le=100)


class RiskOut(BaseModel):
    site: str
    at: str | None = Field(description="the site's event time the scores are for (RFC 3339)")
    scores: dict[str, list[RiskEntry]] = Field(description="per entity type, riskiest first")


class RiskContribution(BaseModel):
    alert: str
    detector: str
    severity: str
    ts: str = Field(description="the alert's event time (RFC 3339)")
    summary: str
    weight: float = Field(description="the alert's weight for this entity, decayed to `at`")
    share: float = Field(ge=0, le=1, description="of the entity's whole weight now (anomaly scores: the rest)")


class RiskExplained(BaseModel):
    site: str
    type: str
    id: str
    at: str | None = Field(description="the site's event time the score is for (RFC 3339)")
    score: float = Field(ge=0, le=100)
    contributions: list[RiskContribution] = Field(description="the alerts that weigh most, largest first")


class Health(BaseModel):
    status: Literal["ok", "recovering", "degraded"]
    version: str
    sites: list[str]
    problem: str | None = None
    site: str | None = Field(None, description="recovering: the site whose log is being replayed")
    done: int | None = Field(None, description="recovering: events replayed so far")
    of: int | None = Field(None, description="recovering: events to replay")


NDJSON_EXAMPLE = (
    '{"id":"ctl1-1","kind":"door","ts":"2026-11-21T02:00:00Z","site":"dc-demo","source":"ctl-1",'
    '"door":"D-HV","state":"open"}\n'
    '{"id":"ctl1-2","kind":"door","ts":"2026-11-21T02:00:09Z","site":"dc-demo","source":"ctl-1",'
    '"door":"D-HV","state":"closed"}\n'
)


def ingest_request_body() -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of ``POST /v1/events``."""
    return {
        "required": True,
        "description": "SEF/1 events: NDJSON, one event object per line (each line is checked on its own), "
                       "or a JSON array of event objects. See the Event schema and docs/events.md.",
        "content": {
            "application/x-ndjson": {"schema": {"type": "string", "description": "one Event per line"},
                                     "example": NDJSON_EXAMPLE},
            "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}},
        },
    }
