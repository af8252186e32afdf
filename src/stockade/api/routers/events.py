"""``POST /v1/events`` (bulk ingest, per-line results) and ``GET /v1/events`` (queries).

The ingest body is NDJSON (``application/x-ndjson``: one SEF/1 event per line)
or a JSON array of events, up to the node's ``max_body_bytes``; the answer has
one result per line, so a bad line never costs the good ones beside it.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep, StoreDep
from stockade.api.encoding import JSONBytes, json_response, rows_response
from stockade.api.limits import NODE_LIMIT, body_limit
from stockade.api.problems import responses
from stockade.api.schemas import (
    ENTITY_TYPE_NAMES,
    EVENT_KIND_NAMES,
    MAX_SEQ,
    EventPage,
    IngestAnswer,
    Rfc3339,
    entity_type_of,
    ingest_request_body,
)
from stockade.events import EventError
from stockade.node.ingest import Principal
from stockade.site.authority import RefusalCode
from stockade.store import ApiKeyRecord, EventQuery

router = APIRouter(prefix="/v1", tags=["events"])
_ALL_REFUSED: dict[RefusalCode | None, int] = {"forbidden": status.HTTP_403_FORBIDDEN}
"""The status of a body whose every line is refused with one code (any other body is 200)."""


@router.post(
    "/events",
    summary="Ingest SEF/1 events (NDJSON or a JSON array); one result per line",
    responses={
        200: {"model": IngestAnswer, "description": "one result per line: accepted, duplicate or rejected"},
        **responses(400, 503, e503="the node is starting, or (a cluster API node) NATS JetStream did not acknowledge: "
                                   "nothing was accepted, retry after Retry-After"),
        403: {"description": "the key lacks the ingest scope (a Problem), or every line is refused as forbidden "
                             "(the per-line answer): a site, source or kind this ingest key is not bound to, an "
                             "id in Stockade's own id space, or what the site's rules refuse",
              "content": {"application/json": {"schema": {"anyOf": [
                  {"$ref": "#/components/schemas/Problem"}, {"$ref": "#/components/schemas/IngestAnswer"}]}}}},
    },
    openapi_extra={**body_limit(NODE_LIMIT, media_type="application/x-ndjson", json=False),
                   "requestBody": ingest_request_body()},
)
async def post_events(
    request: Request,
    node: NodeDep,
    key: Annotated[ApiKeyRecord, Depends(require_scope("ingest"))],
) -> JSONBytes:
    started = time.perf_counter()
    body = await request.body()  # BodyGuard has checked the key and the size
    principal = Principal.for_key(key)
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
                                  ("field", r.field), ("reason", r.reason), ("late", r.late or None))
                            if v is not None}
               for r in report.results]
    codes = {r.code for r in report.results}
    code = _ALL_REFUSED.get(codes.pop(), status.HTTP_200_OK) if len(codes) == 1 else status.HTTP_200_OK
    return json_response({
        "accepted": report.count("accepted"), "duplicate": report.count("duplicate"),
        "rejected": report.count("rejected"), "results": results,
    }, code)


@router.get("/events", summary="Query a site's log by time, kind and entity",
            responses={200: {"model": EventPage}})
def get_events(
    store: StoreDep,
    key: Annotated[ApiKeyRecord, Depends(require_scope("read"))],
    site: Annotated[str, Query(description="site id")],
    since: Annotated[Rfc3339 | None, Query(description="event time from (RFC 3339)")] = None,
    until: Annotated[Rfc3339 | None, Query(description="event time before (RFC 3339)")] = None,
    kind: Annotated[list[Literal[EVENT_KIND_NAMES]] | None, Query(  # type: ignore[valid-type]  # as entity_type
        description="event kinds (repeat the parameter for several)")] = None,
    entity_type: Annotated[Literal[ENTITY_TYPE_NAMES] | None, Query(  # type: ignore[valid-type]  # a Literal of a tuple constant: mypy cannot see its values
        description="entity type, singular (person) or as in an alert's entities (people); needs entity")] = None,
    entity: Annotated[str | None, Query(description="entity id; needs entity_type")] = None,
    after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ, description="log position to continue after")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    order: Annotated[Literal["oldest", "newest"], Query(description="newest: the latest events first")] = "oldest",
) -> JSONBytes:
    check_site(key, site)
    if (entity_type is None) != (entity is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{
            "type": "missing", "loc": ["query", "entity" if entity is None else "entity_type"],
            "msg": "entity_type and entity go together: give both or neither"}])
    query = EventQuery(site, since, until, tuple(kind or ()),
                       (entity_type_of(entity_type), entity) if entity_type and entity else None, after_seq, limit,
                       newest_first=order == "newest")
    rows = store.query(query)
    return rows_response(rows, next_after_seq=rows[-1].seq if rows else after_seq)


@router.get("/events/{site}/{event_id}", summary="One event by id",
            responses={200: {"model": EventPage}, **responses(404)})
def get_event(
    store: StoreDep,
    key: Annotated[ApiKeyRecord, Depends(require_scope("read"))],
    site: str,
    event_id: str,
) -> JSONBytes:
    check_site(key, site)
    row = store.get(site, event_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event {event_id!r} in site {site!r}")
    return rows_response([row])
