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
request (the job is finished when the 202 is sent); jobs are kept in memory (the last 10,000), the
captured events in the log.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockade.api.auth import authenticate, granted
from stockade.api.deps import NodeDep
from stockade.api.limits import NODE_LIMIT, body_limit
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

router = APIRouter(prefix="/v1/epcis", tags=["epcis"])
PROBLEM = "application/problem+json"
MAX_EVENTS = 10_000  # GS1-EPCIS-Capture-Limit
MAX_JOBS = 10_000
ACCEPTED_TYPES = ("application/json", "application/ld+json")


class EpcisProblem(Exception):
    """Raised anywhere under /v1/epcis; answered as an RFC 7807 problem."""

    def __init__(self, code: int, type_: str, detail: str, *, headers: dict[str, str] | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.code, self.type, self.detail, self.headers, self.errors = code, type_, detail, headers or {}, errors


def problem_response(code: int, type_: str, detail: str, *, headers: dict[str, str] | None = None,
                     errors: list[dict[str, Any]] | None = None, instance: str | None = None) -> Response:
    body: dict[str, Any] = {"type": type_, "title": type_.split(":")[-1], "status": code, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return Response(msgspec.json.encode(body), status_code=code, media_type=PROBLEM, headers=headers)


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


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title"], "description": "RFC 7807, with the EPCIS exception type",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"},
                   "errors": {"type": "array", "items": {"type": "object"}}}}
WHY = {400: "the document or a parameter is refused (ValidationException, QueryParameterException)",
       401: "no key, or a wrong one (SecurityException)", 403: "the key may not do this (SecurityException)",
       404: "no such capture job or site (NoSuchResourceException)",
       409: "the event was captured before (ResourceAlreadyExistsException)",
       413: "over a capture limit (CaptureLimitExceededException), with the limit headers",
       415: "send application/json or application/ld+json", 422: "the body is not strict JSON, or a parameter "
       "is out of range (ValidationException)", 500: "the capture failed (ImplementationException)"}


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these EPCIS problems."""
    return {code: {"description": WHY[code], "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}} for code in codes}


def _limit_headers(app: FastAPI) -> dict[str, str]:
    node = getattr(app.state, "node", None)
    return _limits(node) if isinstance(node, Node) else {}


_TYPES = {401: SECURITY, 403: SECURITY, 404: NO_SUCH, 413: CAPTURE_LIMIT, 415: VALIDATION, 422: VALIDATION}


class EpcisRefusals:
    """Under /v1/epcis, a refusal made before the route (the body guard's 401/413/415/422, FastAPI's
    parameter checks) is answered as an EPCIS problem too; a 413 carries the capture limit headers."""

    def __init__(self, app: ASGIApp, *, limits: Callable[[], dict[str, str]]) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/v1/epcis"):
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}

        async def relay(message: Message) -> None:
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] >= 400 and ctype.startswith(b"application/json"):
                    held["start"] = message
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                held["body"] = held.get("body", b"") + message.get("body", b"")
                if message.get("more_body", False):
                    return
                await self._problem(held["start"], held["body"], str(scope.get("path", "")), send)
                return
            await send(message)

        await self.app(scope, receive, relay)

    async def _problem(self, start: Message, body: bytes, path: str, send: Send) -> None:
        code = int(start["status"])
        try:
            detail: Any = msgspec.json.decode(body).get("detail", "")
        except (msgspec.DecodeError, AttributeError):
            detail = ""
        text = detail if isinstance(detail, str) else "; ".join(
            f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}" for d in detail
            if isinstance(d, dict)) if isinstance(detail, list) else str(detail)
        headers = {k.decode(): v.decode() for k, v in start.get("headers", [])
                   if k.lower() not in (b"content-type", b"content-length")}
        if code == 413:
            headers |= self.limits()
        response = problem_response(code, _TYPES.get(code, VALIDATION if code < 500 else IMPLEMENTATION),
                                    text or f"HTTP {code}", headers=headers, instance=path)
        await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


# --- keys ----------------------------------------------------------------------------------------------

AuthKey = Annotated[ApiKeyRecord, Depends(authenticate)]  # its 401 becomes an EPCIS problem (EpcisRefusals)


def ingest_key(node: NodeDep, key: AuthKey) -> ApiKeyRecord:
    if "ingest" not in granted(key):
        raise EpcisProblem(403, SECURITY, f"API key {key.key_id} lacks the 'ingest' scope")
    if key.site is None or key.site not in node.sites:
        raise EpcisProblem(403, SECURITY, f"API key {key.key_id} is not bound to a configured site; "
                                          "EPCIS capture needs an ingest key bound to one")
    return key


def query_key(key: AuthKey) -> ApiKeyRecord:
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

class Jobs:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, site: str, job: dict[str, Any]) -> None:
        with self._lock:
            self._jobs[job["captureID"]] = (site, job)
            while len(self._jobs) > MAX_JOBS:
                self._jobs.popitem(last=False)

    def get(self, site: str, capture_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._jobs.get(capture_id)
        return found[1] if found is not None and found[0] == site else None


def _jobs(request: Request) -> Jobs:
    jobs = getattr(request.app.state, "epcis_jobs", None)
    if not isinstance(jobs, Jobs):
        jobs = Jobs()
        request.app.state.epcis_jobs = jobs
    return jobs


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
    _jobs(request).put(site_of(key), job)
    return Response(status_code=202, headers={"Location": f"/v1/epcis/capture/{capture_id}", **_limits(node)},
                    media_type="application/json")


@router.get("/capture/{capture_id}", summary="A capture job", responses=answers(401, 403, 404))
def capture_job(request: Request, key: IngestKey, capture_id: str) -> Response:
    job = _jobs(request).get(site_of(key), capture_id)
    if job is None:
        raise EpcisProblem(404, NO_SUCH, f"no capture job {capture_id!r} for this site")
    return Response(msgspec.json.encode(job), media_type="application/json")


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

