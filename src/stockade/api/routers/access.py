"""Access decisions and threat levels over HTTP.

- ``POST /v1/access/decide`` (scope ``pep``): a door controller asks; the
  answer is ``allow``, ``deny`` or ``step_up`` with the factor to add. A
  malformed request is 422 naming the field; everything else is a decision
  (unknown door or credential included: ``deny`` with the reason).
- ``PUT /v1/access/threat-levels/{site}`` and ``DELETE`` (scope ``analyst``):
  set or clear a zone's or the site's threat level; logged as ``admin`` events.
- ``GET /v1/access/threat-levels/{site}`` and ``GET /v1/access/decisions``
  (scope ``read``).

    $ curl -H "Authorization: Bearer $PEP_KEY" -H "Content-Type: application/json" \
        localhost:8700/v1/access/decide -d '{"site": "dc-demo",
        "door": "D-HV", "credential": "badge:1020", "factors": [{"type": "badge"}]}'
    {"decision_id": "dec-…", "result": "step_up", "step_up": "fingerprint", ...}

The :class:`AccessService` comes from the node (:func:`get_access`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from stockade.access.errors import UnknownTargetError
from stockade.access.request import AccessRequest, Answer, Presented, ReaderPosture
from stockade.access.service import AccessService
from stockade.access.threat import Level
from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep, StoreDep
from stockade.api.encoding import JSONBytes, rows_response
from stockade.api.limits import KiB, body_limit
from stockade.api.problems import responses
from stockade.api.schemas import EventPage, Rfc3339
from stockade.events.decode import skew_reason
from stockade.events.model import Direction, Factor
from stockade.store import ApiKeyRecord, EventQuery

router = APIRouter(prefix="/v1/access", tags=["access"])
SMALL_BODY = body_limit(16 * KiB)  # a decision or a threat level is a few hundred bytes


async def get_access(node: NodeDep) -> AccessService:
    """The node's access service (tests override this)."""
    return node.access


async def get_clock_limit(node: NodeDep) -> timedelta:
    """How far a presentation time may be from the server's clock: the node's ``max_future_s``."""
    return timedelta(seconds=node.settings.max_future_s)


AccessDep = Annotated[AccessService, Depends(get_access)]
ClockLimit = Annotated[timedelta, Depends(get_clock_limit)]
PepKey = Annotated[ApiKeyRecord, Depends(require_scope("pep"))]
AnalystKey = Annotated[ApiKeyRecord, Depends(require_scope("analyst"))]
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BadgeFactor(_Body):
    type: Literal["badge", "mobile"] = Field(description="a badge or a mobile credential: nothing more to send")


class PinFactor(_Body):
    type: Literal["pin"]
    verified: bool = Field(strict=True, description="whether the controller checked the PIN as correct; the PIN "
                                                    "itself is never sent")


class BiometricFactor(_Body):
    type: Literal["face", "fingerprint"]
    score: float = Field(ge=0, le=1, strict=True, allow_inf_nan=False,
                         description="the match score 0..1 (a number: true is not 1)")


FactorIn = Annotated[BadgeFactor | PinFactor | BiometricFactor, Field(discriminator="type")]
"""A presented factor; its ``type`` says which fields it carries (the OpenAPI document says so too)."""


def _presented(f: BadgeFactor | PinFactor | BiometricFactor) -> Presented:
    if isinstance(f, PinFactor):
        return Presented(f.type, verified=f.verified)
    if isinstance(f, BiometricFactor):
        return Presented(f.type, score=f.score)
    return Presented(f.type)


class ReaderIn(_Body):
    online: bool = Field(True, strict=True, description="the reader reports itself online")
    tampered: bool = Field(False, strict=True, description="the reader's tamper switch is open")


class DecideIn(_Body):
    site: str = Field(min_length=1, max_length=256, description="site id")
    door: str = Field(min_length=1, max_length=256, description="door id from the site file")
    credential: str = Field(min_length=1, max_length=256, description="credential presented, e.g. badge:1020")
    factors: list[FactorIn] = Field(min_length=1, max_length=8, description="factors presented")
    direction: Direction = Field("in", description="in = from the door's first zone to its second")
    time: AwareDatetime | None = Field(None, description="presentation time; default: the server's clock; at "
                                                         "most the node's max_future_s (5 minutes) from it")
    reader: ReaderIn = Field(default_factory=ReaderIn, description="the reader's posture")


class DecideOut(BaseModel):
    decision_id: str = Field(description="id of the decision event in the site's log")
    result: Literal["allow", "deny", "step_up"] = Field(description="the decision")
    step_up: Factor | None = Field(description="the factor to add when result is step_up")
    reasons: list[str] = Field(description="why, one sentence per policy that decided")
    policies: list[str] = Field(description="ids of the policies that decided (stockade:* are built in)")
    policy_hash: str = Field(description="hash of the policy set in force")
    subject: str | None = Field(description="the credential's holder, when known")
    zone: str | None = Field(description="the zone the door leads into in this direction")
    at: datetime = Field(description="the time the decision is for")
    eval_us: float = Field(description="time taken to decide, in microseconds")

    @classmethod
    def of(cls, a: Answer) -> DecideOut:
        return cls(decision_id=a.decision_id, result=a.result, step_up=a.step_up, reasons=list(a.reasons),
                   policies=list(a.policies), policy_hash=a.policy_hash, subject=a.subject, zone=a.zone,
                   at=a.at, eval_us=a.eval_us)


class ThreatIn(_Body):
    level: Level = Field(description="normal, elevated or lockdown")
    zone: str | None = Field(None, description="a zone id; omit for the whole site")
    detail: str | None = Field(None, max_length=1000, description="why, for the log")


class ThreatLevelsOut(BaseModel):
    site: str = Field(description="site id")
    level: Level = Field(description="site-wide level")
    zones: dict[str, Level] = Field(description="zones above normal and their own level")
    event: str | None = Field(None, description="id of the admin event that logged the change")


def _request(body: DecideIn, now: datetime, limit: timedelta) -> AccessRequest:
    at = body.time or now
    if (too_far := skew_reason(at, now, limit, either_way=True)) is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{
            "loc": ["body", "time"], "type": "value_error", "msg": too_far}])
    return AccessRequest(
        site=body.site, door=body.door, credential=body.credential, time=at, direction=body.direction,
        factors=tuple(_presented(f) for f in body.factors),
        reader=ReaderPosture(online=body.reader.online, tampered=body.reader.tampered),
    )


@router.post("/decide", summary="Decide one badge presentation (policy decision point)", response_model=DecideOut,
             openapi_extra=SMALL_BODY, responses=responses(503, e503="the node is starting"))
async def decide(body: DecideIn, access: AccessDep, key: PepKey, limit: ClockLimit) -> JSONBytes:
    """The decision crosses to a worker thread (it may wait for the site's log behind an ingest
    chunk); its answer is built as ``DecideOut`` and serialized here, by pydantic's own encoder: FastAPI's
    generic return path (validate the model again, then encode it) cost half a millisecond a decision."""
    check_site(key, body.site)
    request = _request(body, datetime.now(UTC), limit)
    answer, _event = await run_in_threadpool(access.decide, request)
    return JSONBytes(DecideOut.of(answer).model_dump_json().encode())


def _levels(access: AccessService, site: str, event: str | None = None) -> ThreatLevelsOut:
    try:
        view = access.threat_levels(site)
    except UnknownTargetError as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e
    return ThreatLevelsOut(site=site, level=view.site, zones=view.zones, event=event)


@router.get("/threat-levels/{site}", summary="Threat levels in force at a site", responses=responses(404))
def threat_levels(site: str, access: AccessDep, key: ReadKey) -> ThreatLevelsOut:
    check_site(key, site)
    return _levels(access, site)


@router.put("/threat-levels/{site}", summary="Set a zone's or the site's threat level",
            responses=responses(404), openapi_extra=SMALL_BODY)
async def set_threat_level(site: str, body: ThreatIn, access: AccessDep, key: AnalystKey) -> ThreatLevelsOut:
    check_site(key, site)
    try:
        event = await run_in_threadpool(access.set_threat, site, body.level, actor=key.key_id,
                                        at=datetime.now(UTC), zone=body.zone, detail=body.detail)
    except UnknownTargetError as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e
    return _levels(access, site, event.id)


@router.delete("/threat-levels/{site}", summary="Clear a zone's or the site's threat level (back to normal)",
               responses=responses(404))
async def clear_threat_level(
    site: str, access: AccessDep, key: AnalystKey,
    zone: Annotated[str | None, Query(description="a zone id; omit for the site-wide level")] = None,
) -> ThreatLevelsOut:
    check_site(key, site)
    try:
        event = await run_in_threadpool(access.clear_threat, site, actor=key.key_id, at=datetime.now(UTC),
                                        zone=zone)
    except UnknownTargetError as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e
    return _levels(access, site, event.id)


@router.get("/decisions", summary="Logged access decisions of a site, newest first",
            responses={200: {"model": EventPage}})
def decisions(
    store: StoreDep, key: ReadKey,
    site: Annotated[str, Query(description="site id")],
    door: Annotated[str | None, Query(description="only this door")] = None,
    subject: Annotated[str | None, Query(description="only this person")] = None,
    credential: Annotated[str | None, Query(description="only this credential")] = None,
    result: Annotated[Literal["allow", "deny", "step_up"] | None, Query(description="only this result")] = None,
    since: Annotated[Rfc3339 | None, Query(description="event time from")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONBytes:
    check_site(key, site)
    entity: tuple[Literal["door", "person", "credential"], str] | None = (
        ("door", door) if door else ("person", subject) if subject else
        ("credential", credential) if credential else None)
    rows = store.query(EventQuery(site, since=since, kinds=("decision",), entity=entity,
                                  limit=limit if result is None else 10_000, newest_first=True))
    kept = [r for r in rows
            if (result is None or getattr(r.event, "result", None) == result)
            and (door is None or getattr(r.event, "door", None) == door)
            and (subject is None or getattr(r.event, "subject", None) == subject)
            and (credential is None or getattr(r.event, "credential", None) == credential)]
    return rows_response(kept[:limit])
