"""``POST /v1/admin/{site}/events`` (scope ``admin``): an admin change, with the key as its actor.

One of the two doors ``admin`` events come through (the other is a system the
site file declares under ``sources:``). The caller says what to change; the
node writes the ``admin`` event itself, from source ``stockade:api``, with the
authenticated key's id as ``actor`` (the body has no actor field), and answers
after the change is on disk. The decision point and the detectors see it like
any other event of the log.

    $ curl -H "Authorization: Bearer $ADMIN_KEY" localhost:8700/v1/admin/dc-demo/events \\
        -d '{"action": "grant_access", "target": "emp-1001", "zone": "hv-cage",
             "end": "2026-11-23T18:00:00+01:00", "detail": "audit of the cage"}'
    {"id": "adm-…", "actor": "3fa2b1c0d9e8", "action": "grant_access", ...}

Threat levels have their own routes (``/v1/access/threat-levels``, scope
``analyst``) and are not an action here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.limits import KiB, body_limit
from stockade.api.problems import responses
from stockade.events.model import Admin
from stockade.site.sources import ADMIN_ACTIONS, THREAT_ACTIONS
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1/admin", tags=["admin"])
AdminKey = Annotated[ApiKeyRecord, Depends(require_scope("admin"))]
SOURCE = "stockade:api"


class AdminIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="the admin action (threat levels have their own routes)",
                        json_schema_extra={"enum": list(ADMIN_ACTIONS)})
    target: str | None = Field(None, min_length=1, max_length=256,
                               description="the person, credential or device it concerns")
    zone: str | None = Field(None, min_length=1, max_length=256, description="a zone of the site")
    start: AwareDatetime | None = Field(None, description="start of a temporary grant or override")
    end: AwareDatetime | None = Field(None, description="end of a temporary grant or override")
    detail: str | None = Field(None, max_length=1000, description="why, for the log")
    attrs: dict[str, Any] | None = Field(None, description="extras, e.g. an appointment's window and carrier")

    @field_validator("action")
    @classmethod
    def _action(cls, v: str) -> str:
        if v in THREAT_ACTIONS:
            raise ValueError("threat levels have their own routes: PUT/DELETE /v1/access/threat-levels/{site}")
        if v not in ADMIN_ACTIONS:
            raise ValueError(f"unknown admin action {v!r}; known: {', '.join(ADMIN_ACTIONS)}")
        return v

    @model_validator(mode="after")
    def _window(self) -> AdminIn:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


def new_admin_id() -> str:
    return f"adm-{uuid.uuid4().hex}"


@router.post("/{site}/events", status_code=status.HTTP_201_CREATED,
             summary="Make an admin change (grant, revoke, override, …); the key is the actor",
             description="A window (`start`, `end`) must end after it starts: a rule across fields, a 422 "
                         "saying so. The zone must be one of the site's (404).",
             responses=responses(403, 404, e403="the key lacks the admin scope or is bound to another site",
                                 e404="unknown site or zone"),
             openapi_extra=body_limit(16 * KiB))
async def post_admin_event(site: str, body: AdminIn, node: NodeDep, key: AdminKey) -> JSONBytes:
    check_site(key, site)
    config = node.sites.get(site)
    if config is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown site {site!r}")
    if body.zone is not None and body.zone not in config.zones_by_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown zone {body.zone!r} in site {site!r}")
    event = Admin(id=new_admin_id(), ts=datetime.now(UTC), site=site, source=SOURCE, actor=key.key_id,
                  action=body.action, target=body.target, zone=body.zone, start=body.start, end=body.end,
                  detail=body.detail, attrs=body.attrs)
    await run_in_threadpool(node.ingestor.write_outputs, site, [event], durable=True)
    return json_response(msgspec.to_builtins(event), status.HTTP_201_CREATED)
