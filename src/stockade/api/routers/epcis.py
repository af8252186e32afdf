"""The GS1 EPCIS 2.0 REST binding under ``/v1/epcis``: capture and query.

    POST    /v1/epcis/capture            an EPCISDocument → 202, Location: /v1/epcis/capture/{id}
    GET     /v1/epcis/capture/{id}       the capture job (running, success, captureErrorBehaviour, errors)
    OPTIONS /v1/epcis/capture            the limits (GS1-EPCIS-Capture-Limit, …-File-Size-Limit)
    POST    /v1/epcis/events             one event → 201 (409 for an event already captured)
    GET     /v1/epcis/events             EPCIS query parameters → an EPCISQueryDocument
    GET     /v1/epcis/epcs/{epc}/events  one item's history, optionally with an inclusion proof per event

Capture takes an ``ingest`` key; the site is the key's, and the mapped SEF/1 events go through the
node's ingest path with the key's principal, so its binding (site, sources) holds. Errors are RFC 7807
``application/problem+json`` bodies with the EPCIS exception types. The capture runs within the
request (the job is finished when the 202 is sent); jobs are kept in the store (the last 10,000, so
``GET /capture/{id}`` answers after a restart), the captured events in the log. Problems:
``epcis_problems``; queries: ``epcis_query``.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response
from fastapi.concurrency import run_in_threadpool

from stockade.api.auth import authenticate, granted
from stockade.api.deps import NodeDep
from stockade.api.limits import NODE_LIMIT, body_limit
from stockade.api.routers.epcis_problems import (
    PROBLEM,
    PROBLEM_SCHEMA,
    EpcisProblem,
    EpcisRefusals,
    answers,
    problem_response,
)
from stockade.events import EventError, Stock, canonical_event, decode_event
from stockade.events.decode import skew_reason
from stockade.inventory.epcis.capture import (
    CAPTURE_LIMIT,
    DUPLICATE,
    IMPLEMENTATION,
    NO_SUCH,
    SECURITY,
    VALIDATION,
    CaptureError,
    Plan,
    plan_document,
    plan_event,
)
from stockade.inventory.epcis.event_hash import document_events
from stockade.ledger.tiles import MAX_ENTRY
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.site.authority import refusal
from stockade.store import ApiKeyRecord
from stockade.store.capture_jobs import CaptureJobTables

router = APIRouter(prefix="/v1/epcis", tags=["epcis"])
MAX_EVENTS = 10_000  # GS1-EPCIS-Capture-Limit
ACCEPTED_TYPES = ("application/json", "application/ld+json")


def install(app: FastAPI) -> None:
    """Register the routers and the problem handler (called by the app factory)."""
    async def handler(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, EpcisProblem):  # registered for EpcisProblem only
            raise TypeError(f"the EPCIS handler got {type(exc).__name__}") from exc
        return problem_response(exc.code, exc.type, exc.detail, headers=exc.headers, errors=exc.errors,
                                instance=str(request.url.path))

    app.add_exception_handler(EpcisProblem, handler)
    app.add_middleware(EpcisRefusals, limits=lambda: _limit_headers(app))
    base = app.openapi

    def openapi() -> dict[str, Any]:
        schema = base()
        for path, ops in schema.get("paths", {}).items():
            if not path.startswith("/v1/epcis"):
                continue
            for op in ops.values():
                for code, answer in op.get("responses", {}).items():
                    if code[0] in "45":  # the API's JSON errors, as RFC 7807 problems (both types named)
                        answer["content"] = {"application/json": {"schema": PROBLEM_SCHEMA},
                                             PROBLEM: {"schema": PROBLEM_SCHEMA}}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema


def _limit_headers(app: FastAPI) -> dict[str, str]:
    node = getattr(app.state, "node", None)
    return _limits(node) if isinstance(node, Node) else {}


# --- keys ----------------------------------------------------------------------------------------------

AuthKey = Annotated[ApiKeyRecord, Depends(authenticate)]  # its 401 becomes an EPCIS problem (EpcisRefusals)


async def ingest_key(node: NodeDep, key: AuthKey) -> ApiKeyRecord:
    if "ingest" not in granted(key):
        raise EpcisProblem(403, SECURITY, f"API key {key.key_id} lacks the 'ingest' scope")
    if key.site is None or key.site not in node.sites:
        raise EpcisProblem(403, SECURITY, f"API key {key.key_id} is not bound to a configured site; "
                                          "EPCIS capture needs an ingest key bound to one")
    return key


async def query_key(key: AuthKey) -> ApiKeyRecord:
    """A ``read`` key (any site), or an ``ingest`` key reading back its own site."""
    scopes = granted(key)
    if "read" not in scopes and not ("ingest" in scopes and key.site is not None):
        raise EpcisProblem(403, SECURITY, f"API key {key.key_id} lacks the 'read' scope")
    return key


IngestKey = Annotated[ApiKeyRecord, Depends(ingest_key)]


def site_of(key: ApiKeyRecord) -> str:
    """The site of a key :func:`ingest_key` let through (it refuses keys bound to none)."""
    if key.site is None:
        raise EpcisProblem(403, SECURITY, f"API key {key.key_id} is not bound to a site")
    return key.site


# --- capture jobs ---------------------------------------------------------------------------------------

def _jobs(node: Node) -> CaptureJobTables:
    if not isinstance(node.store, CaptureJobTables):
        raise EpcisProblem(500, IMPLEMENTATION, "this store keeps no capture jobs")
    return node.store


def _limits(node: Node) -> dict[str, str]:
    return {"GS1-EPCIS-Capture-Limit": str(MAX_EVENTS),
            "GS1-EPCIS-Capture-File-Size-Limit": str(node.settings.max_body_bytes),
            "GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}


async def _read_document(request: Request, node: Node) -> object:
    ctype = request.headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()
    if ctype not in ACCEPTED_TYPES:
        raise EpcisProblem(415, VALIDATION, f"content type {ctype!r}: send application/json or application/ld+json")
    limit = node.settings.max_body_bytes
    too_big = EpcisProblem(413, CAPTURE_LIMIT, f"the document is over the limit of {limit} bytes",
                           headers=_limits(node))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except (ValueError, RecursionError) as e:
        raise EpcisProblem(400, VALIDATION, f"$: not JSON ({str(e)[:200]})") from e


def _principal(key: ApiKeyRecord) -> Principal:
    return Principal.for_key(key)  # the key's whole binding: site, sources and kinds


def _source(key: ApiKeyRecord) -> str:
    return sorted(key.sources)[0] if key.sources else "epcis"


def _admissible(node: Node, principal: Principal, index: int, stock: Stock, now: datetime) -> CaptureError | None:
    """The ingest path's own checks, made before anything is committed (so rollback means nothing)."""
    raw = canonical_event(stock)
    try:
        event = decode_event(raw)
    except EventError as e:
        return CaptureError(index, f"$.epcisBody.eventList[{index}]", f"{e.field}: {e.reason}")
    site = node.sites[event.site]
    if (too_far := skew_reason(event.ts, now, timedelta(seconds=node.settings.max_future_s))) is not None:
        return CaptureError(index, f"$.epcisBody.eventList[{index}].eventTime", too_far)
    if (forbidden := principal.forbids(event) or refusal(site, event)) is not None:
        return CaptureError(index, f"$.epcisBody.eventList[{index}]", forbidden.reason, SECURITY)
    if event.source in site.policy.require_signatures:
        return CaptureError(index, f"$.epcisBody.eventList[{index}]",
                            f"source {event.source!r} must sign its events; EPCIS capture cannot carry a signature",
                            SECURITY)
    if len(raw) > MAX_ENTRY:
        return CaptureError(index, f"$.epcisBody.eventList[{index}]",
                            f"the event is {len(raw):,} bytes; a log entry holds at most {MAX_ENTRY:,}")
    if node.store.get(event.site, event.id) is not None:
        return CaptureError(index, f"$.epcisBody.eventList[{index}]",
                            f"event {event.id} was captured before", DUPLICATE)
    return None


def run_capture(node: Node, key: ApiKeyRecord, plan: Plan, behaviour: str) -> tuple[list[CaptureError], int]:
    """Check every planned event, then commit (rollback: only if all pass). Returns (errors, captured)."""
    principal = _principal(key)
    now = datetime.now(UTC)
    errors = list(plan.errors)
    ready: list[tuple[int, Stock]] = []
    for index, stock in plan.events:
        bad = _admissible(node, principal, index, stock, now)
        if bad is not None:
            errors.append(bad)
        else:
            ready.append((index, stock))
    if errors and behaviour == "rollback":
        return sorted(errors, key=lambda e: (e.index or 0, e.path)), 0
    captured = 0
    if ready:
        report = node.ingestor.ingest_lines([canonical_event(s) for _, s in ready], principal)
        for (index, stock), result in zip(ready, report.results, strict=True):
            if result.status == "accepted":
                captured += 1
            elif result.status == "duplicate":
                errors.append(CaptureError(index, f"$.epcisBody.eventList[{index}]",
                                           f"event {stock.id} was captured before", DUPLICATE))
            else:
                errors.append(CaptureError(index, f"$.epcisBody.eventList[{index}]",
                                           f"{result.field}: {result.reason}"))
    return sorted(errors, key=lambda e: (e.index or 0, e.path)), captured


def _behaviour(value: str | None) -> str:
    behaviour = (value or "rollback").strip().lower()
    if behaviour == "all":
        behaviour = "proceed"
    if behaviour not in ("rollback", "proceed"):
        raise EpcisProblem(400, VALIDATION, f"GS1-Capture-Error-Behaviour {value!r}: rollback or proceed")
    return behaviour


# --- routes ---------------------------------------------------------------------------------------------

@router.options("/capture", summary="The capture limits and error behaviours (any key)", status_code=204,
                response_class=Response, responses={204: {"description": "the limits, in the headers",
                                                          "content": {"application/json": {}}}})
def capture_options(node: NodeDep, _key: AuthKey) -> Response:
    headers = {**_limits(node), "Allow": "OPTIONS, POST", "GS1-Capture-Error-Behaviour": "rollback, proceed",
               "Accept-Post": ", ".join(ACCEPTED_TYPES)}
    return Response(status_code=204, headers=headers, media_type="application/json")


EPCIS_BODY = body_limit(NODE_LIMIT, media_type="application/ld+json", max_depth=64)


@router.post("/capture", summary="Capture an EPCIS document (202 and a capture job)", status_code=202,
             openapi_extra=EPCIS_BODY, response_class=Response,
             responses={202: {"description": "captured; the job is at Location", "content": {"application/json": {}}},
                        **answers(400, 401, 403, 413, 415, 422, 500)})
async def capture(
    request: Request, node: NodeDep, key: IngestKey,
    gs1_capture_error_behaviour: Annotated[str | None, Header()] = None,
) -> Response:
    behaviour = _behaviour(gs1_capture_error_behaviour)
    document = await _read_document(request, node)
    site = node.sites[site_of(key)]
    count = len(document_events(document)) if isinstance(document, dict) and isinstance(
        document.get("epcisBody"), dict) else 0
    if count > MAX_EVENTS:  # before any work on them
        raise EpcisProblem(413, CAPTURE_LIMIT, f"{count} events; at most {MAX_EVENTS} per capture",
                           headers=_limits(node))
    plan = await run_in_threadpool(plan_document, document, site=site, source=_source(key))
    if plan.document_errors:
        raise EpcisProblem(400, VALIDATION, "; ".join(str(e) for e in plan.document_errors)[:2000],
                           errors=[e.problem() for e in plan.document_errors[:100]])
    created = datetime.now(UTC)
    try:
        errors, captured = await run_in_threadpool(run_capture, node, key, plan, behaviour)
    except Exception as e:
        raise EpcisProblem(500, IMPLEMENTATION, f"capture failed: {type(e).__name__}") from e
    capture_id = "cap-" + secrets.token_hex(8)
    job = {"captureID": capture_id, "createdAt": created.isoformat(), "finishedAt": datetime.now(UTC).isoformat(),
           "running": False, "success": not errors, "captureErrorBehaviour": behaviour,
           "eventCount": plan.count, "capturedCount": captured, "errors": [e.problem() for e in errors]}
    _jobs(node).job_put(site_of(key), capture_id, int(created.timestamp() * 1_000_000), msgspec.json.encode(job))
    return Response(status_code=202, headers={"Location": f"/v1/epcis/capture/{capture_id}", **_limits(node)},
                    media_type="application/json")


@router.get("/capture/{capture_id}", summary="A capture job", responses=answers(401, 403, 404))
def capture_job(node: NodeDep, key: IngestKey, capture_id: str) -> Response:
    job = _jobs(node).job_get(site_of(key), capture_id)
    if job is None:
        raise EpcisProblem(404, NO_SUCH, f"no capture job {capture_id!r} for this site")
    return Response(job, media_type="application/json")


@router.post("/events", summary="Capture one EPCIS event (201; 409 when it is known)", status_code=201,
             openapi_extra=EPCIS_BODY, response_class=Response,
             responses={201: {"description": "captured; its event hash is at Location",
                              "content": {"application/json": {}}},
                        **answers(400, 401, 403, 409, 413, 415, 422)})
async def post_event(request: Request, node: NodeDep, key: IngestKey) -> Response:
    event = await _read_document(request, node)
    plan = plan_event(event, site=node.sites[site_of(key)], source=_source(key))
    errors, captured = await run_in_threadpool(run_capture, node, key, plan, "rollback")
    if errors:
        err = errors[0]
        code = 409 if err.type == DUPLICATE else 403 if err.type == SECURITY else 400
        detail = err.reason if err.path == f"$.epcisBody.eventList[{err.index}]" else f"{err.path}: {err.reason}"
        raise EpcisProblem(code, err.type, detail.replace("$.epcisBody.eventList[0]", "$"),
                           errors=[e.problem() for e in errors])
    stock = plan.events[0][1]
    ni = (stock.attrs or {}).get("event_hash", "")
    return Response(status_code=201, headers={"Location": f"/v1/epcis/events/{ni}"}, media_type="application/json")

