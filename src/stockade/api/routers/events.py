"""``POST /v1/events`` (bulk ingest, per-line results) and ``GET /v1/events`` (queries)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep, StoreDep
from stockade.api.encoding import JSONBytes, json_response, rows_response
from stockade.events import EventError
from stockade.events.entities import ENTITY_TYPES
from stockade.node.ingest import Principal
from stockade.store import ApiKeyRecord, EventQuery

router = APIRouter(prefix="/v1", tags=["events"])


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, or 413 as soon as it passes ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            f"body of {declared} bytes is over the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                                f"body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/events",
    summary="Ingest SEF/1 events (NDJSON or a JSON array); one result per line",
    responses={
        403: {"description": "every line is for a site or source this ingest key is not bound to"},
        413: {"description": "body over the size limit"},
    },
)
async def post_events(
    request: Request,
    node: NodeDep,
    key: Annotated[ApiKeyRecord, Depends(require_scope("ingest"))],
) -> JSONBytes:
    started = time.perf_counter()
    body = await read_limited(request, node.settings.max_body_bytes)
    principal = Principal(key.key_id, key.site, frozenset(key.sources))
    try:
        report = await run_in_threadpool(node.ingestor.ingest_body, body, principal)
    except EventError as e:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, e.reason) from e
    metrics = node.metrics
    for (site, kind), n in report.accepted_by_kind.items():
        metrics.events.labels(site, kind, "accepted").inc(n)
    for result in report.results:
        if result.status != "accepted":
            metrics.events.labels(key.site or "", "", result.status).inc()
    metrics.ingest_seconds.observe(time.perf_counter() - started)
    results = [{k: v for k, v in (("line", r.line), ("status", r.status), ("id", r.id), ("seq", r.seq),
                                  ("field", r.field), ("reason", r.reason)) if v is not None}
               for r in report.results]
    forbidden = all(r.reason is not None and r.reason.startswith("forbidden") for r in report.results)
    code = status.HTTP_403_FORBIDDEN if report.results and forbidden else status.HTTP_200_OK
    return json_response({
        "accepted": report.count("accepted"), "duplicate": report.count("duplicate"),
        "rejected": report.count("rejected"), "results": results,
    }, code)


@router.get("/events", summary="Query a site's log by time, kind and entity")
def get_events(
    store: StoreDep,
    _key: Annotated[ApiKeyRecord, Depends(require_scope("read"))],
    site: Annotated[str, Query(description="site id")],
    since: Annotated[datetime | None, Query(description="event time from (RFC 3339)")] = None,
    until: Annotated[datetime | None, Query(description="event time before (RFC 3339)")] = None,
    kind: Annotated[list[str] | None, Query(description="event kinds")] = None,
    entity_type: Annotated[Literal[ENTITY_TYPES] | None, Query(description="entity type")] = None,  # type: ignore[valid-type]
    entity: Annotated[str | None, Query(description="entity id, with entity_type")] = None,
    after_seq: Annotated[int, Query(ge=0, description="log position to continue after")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    order: Annotated[Literal["oldest", "newest"], Query(description="newest: the latest events first")] = "oldest",
) -> JSONBytes:
    if (entity_type is None) != (entity is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "entity_type and entity go together")
    query = EventQuery(site, since, until, tuple(kind or ()),
                       (entity_type, entity) if entity_type and entity else None, after_seq, limit,
                       newest_first=order == "newest")
    rows = store.query(query)
    return rows_response(rows, next_after_seq=rows[-1].seq if rows else after_seq)


@router.get("/events/{site}/{event_id}", summary="One event by id")
def get_event(
    store: StoreDep,
    _key: Annotated[ApiKeyRecord, Depends(require_scope("read"))],
    site: str,
    event_id: str,
) -> JSONBytes:
    row = store.get(site, event_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event {event_id!r} in site {site!r}")
    return rows_response([row])
