"""EPCIS 2.0 queries: ``GET /v1/epcis/events`` and ``GET /v1/epcis/epcs/{epc}/events``.

The standard parameters (``eventType``, ``GE_eventTime``, ``LT_eventTime``, ``EQ_bizStep``,
``EQ_disposition``, ``EQ_readPoint``, ``EQ_bizLocation``, ``MATCH_epc``, ``MATCH_anyEPC``,
``EQ_eventID``; lists pipe-separated), ``perPage`` (default 30, at most 1,000) and ``nextPageToken``
(also in ``Link: <…>; rel="next"``); ``site`` names the site (an ingest key reads its own). A single
EPC in ``MATCH_epc``/``MATCH_anyEPC`` is looked up in the store's entity index; anything else scans
the site's stock and tag events in log order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from stockade.api.deps import NodeDep
from stockade.api.routers.epcis import query_key
from stockade.api.routers.epcis_problems import EpcisProblem, answers
from stockade.events.entities import EntityType
from stockade.inventory.epcis.capture import NO_SUCH, QUERY_PARAMETER
from stockade.inventory.epcis.query import EpcisQuery, index_epc, query_document, reverse_locations, to_epcis
from stockade.ledger.proofs import make_proof
from stockade.node.runtime import Node
from stockade.store import ApiKeyRecord, EventQuery

router = APIRouter(prefix="/v1/epcis", tags=["epcis"])
QueryKey = Annotated[ApiKeyRecord, Depends(query_key)]
MAX_PER_PAGE = 1_000
SCAN_BATCH = 2_000
MAX_SCAN = 200_000  # rows looked at per page; a sparse filter pages on with the token
LIST_PARAMS = {"eventType": "event_types", "EQ_bizStep": "biz_steps", "EQ_disposition": "dispositions",
               "EQ_readPoint": "read_points", "EQ_bizLocation": "biz_locations", "MATCH_epc": "match_epc",
               "MATCH_anyEPC": "match_any_epc", "EQ_eventID": "event_ids"}
KNOWN = set(LIST_PARAMS) | {"GE_eventTime", "LT_eventTime", "perPage", "nextPageToken", "site"}


def _site(node: Node, key: ApiKeyRecord, site: str | None) -> str:
    chosen = site or key.site
    if chosen is None:
        raise EpcisProblem(400, QUERY_PARAMETER, "name the site: ?site=<id>")
    if key.site is not None and chosen != key.site:
        raise EpcisProblem(403, "epcisException:SecurityException", f"this key reads site {key.site} only")
    if chosen not in node.sites:
        raise EpcisProblem(404, NO_SUCH, f"no site {chosen!r}")
    return chosen


def _time(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise EpcisProblem(400, QUERY_PARAMETER, f"{name}: {value!r} is not an RFC 3339 time") from e
    if ts.tzinfo is None:
        raise EpcisProblem(400, QUERY_PARAMETER, f"{name}: {value!r} needs an offset")
    return ts


def parse_query(params: dict[str, str]) -> EpcisQuery:
    unknown = sorted(set(params) - KNOWN)
    if unknown:
        raise EpcisProblem(400, QUERY_PARAMETER, f"unsupported query parameter(s): {', '.join(unknown)}")
    lists = {field: tuple(v for v in params[name].split("|") if v)
             for name, field in LIST_PARAMS.items() if name in params}
    return EpcisQuery(ge_time=_time("GE_eventTime", params.get("GE_eventTime")),
                      lt_time=_time("LT_eventTime", params.get("LT_eventTime")), **lists)


def _token(value: str | None) -> int:
    """The log position a page token stands for (the decimal sequence number of the last row looked at)."""
    return int(value) if value else 0


def _make_token(seq: int) -> str:
    return str(seq)


def run_query(node: Node, site_id: str, q: EpcisQuery, after: int, per_page: int,
              proofs: bool = False) -> tuple[list[dict[str, Any]], int | None]:
    """Matching events after log position ``after``; the position to continue from, or None at the end."""
    site = node.sites[site_id]
    reverse = reverse_locations(site)
    single = set(q.match_epc) | set(q.match_any_epc)
    entity: tuple[EntityType, str] | None = None
    if len(single) == 1 and (epc := index_epc(next(iter(single)), site)) is not None:
        entity = ("epc", epc)
    out: list[dict[str, Any]] = []
    scanned = 0
    cursor = after
    log = node.ledgers.logs.get(site_id)
    # the entity index is a projection that may lag the log by a batch: use it up to what it holds,
    # and scan the tail after that
    indexed = node.store.indexed_seq(site_id) if entity is not None else 0
    while len(out) < per_page and scanned < MAX_SCAN:
        use_index = entity is not None and cursor < indexed
        rows = node.store.query(EventQuery(site_id, q.ge_time, q.lt_time, ("stock", "tag"),
                                           entity if use_index else None, cursor, SCAN_BATCH))
        if use_index:
            rows = [r for r in rows if r.seq <= indexed]
            if not rows:
                cursor = indexed
                continue
        elif not rows:
            return out, None
        for row in rows:
            scanned += 1
            cursor = row.seq
            event = to_epcis(row.event, site, reverse)
            if event is None or not q.matches(event):
                continue
            if proofs and log is not None and row.seq <= log.size:
                event = {**event, "stockade:proof": make_proof(log, row.seq - 1).encode().decode()}
            out.append(event)
            if len(out) >= per_page:
                return out, cursor
        if len(rows) < SCAN_BATCH and not use_index:
            return out, None
    return out, cursor


def _answer(request: Request, events: list[dict[str, Any]], next_seq: int | None, per_page: int) -> Response:
    headers = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
    if next_seq is not None:
        params = {k: v for k, v in request.query_params.items() if k != "nextPageToken"}
        params |= {"perPage": str(per_page), "nextPageToken": _make_token(next_seq)}
        headers["Link"] = f'<{request.url.path}?{urlencode(params)}>; rel="next"'
    doc = query_document(events, datetime.now(UTC))
    if next_seq is not None:
        doc["epcisBody"]["queryResults"]["nextPageToken"] = _make_token(next_seq)
    return Response(msgspec.json.encode(doc), media_type="application/json", headers=headers)


@router.get("/events", summary="EPCIS query: an EPCISQueryDocument of the matching events",
            responses=answers(400, 401, 403, 404, 422))
async def get_events(
    request: Request, node: NodeDep, key: QueryKey,
    site: Annotated[str, Query(min_length=1, description="site id (an ingest key: its own)")],
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=MAX_PER_PAGE)] = 30,
    next_page_token: Annotated[str | None, Query(alias="nextPageToken", pattern=r"^[0-9]{1,18}$")] = None,
) -> Response:
    site_id = _site(node, key, site)
    q = parse_query(dict(request.query_params))
    events, next_seq = await run_in_threadpool(run_query, node, site_id, q, _token(next_page_token), per_page)
    return _answer(request, events, next_seq, per_page)


@router.get("/epcs/{epc:path}/events", summary="One item's history; with proof=true an inclusion proof per event",
            responses=answers(400, 401, 403, 404, 422))
async def epc_events(
    request: Request, node: NodeDep, key: QueryKey, epc: str,
    site: Annotated[str, Query(min_length=1, description="site id (an ingest key: its own)")],
    proof: Annotated[bool, Query(description="add a C2SP tlog-proof of each event's log entry")] = False,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=MAX_PER_PAGE)] = 30,
    next_page_token: Annotated[str | None, Query(alias="nextPageToken", pattern=r"^[0-9]{1,18}$")] = None,
) -> Response:
    site_id = _site(node, key, site)
    q = EpcisQuery(match_any_epc=(epc,))
    events, next_seq = await run_in_threadpool(run_query, node, site_id, q, _token(next_page_token), per_page, proof)
    return _answer(request, events, next_seq, per_page)
