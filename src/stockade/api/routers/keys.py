"""API keys over HTTP, for an ``admin`` key: list, create, revoke (what ``stockade apikey`` does).

    GET  /v1/keys                    every key (never a secret): id, scopes, binding, label, state
    POST /v1/keys                    a new key; its token is in the answer once, only its hash is stored
    POST /v1/keys/{key_id}/revoke    the key answers 401 from then on

The same :func:`stockade.node.keys.new_key` and store calls as the CLI. An admin key
bound to a site sees, makes and revokes only keys bound to that site: no caller
makes a key that may do more than its own. A key cannot revoke itself (sign in
with another admin key): the last admin key is never lost by a slip.

Each change is an ``admin`` event (``create_api_key``, ``revoke_api_key``) in the log of
every site the key may act for (all of them for an unbound key), the admin key as its
actor, so an auditor reads who gave whom what. A key is made only once its creation is
logged; a revocation takes effect first, then is logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.limits import KiB, body_limit
from stockade.api.problems import responses
from stockade.api.routers.admin import SOURCE, new_admin_id
from stockade.events.model import Admin
from stockade.node.keys import SCOPES, binding_problem, new_key, revoked
from stockade.node.runtime import Node
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1/keys", tags=["keys"])
AdminKey = Annotated[ApiKeyRecord, Depends(require_scope("admin"))]
_Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9:._-]+$")]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: list[str] = Field(min_length=1, max_length=len(SCOPES), description=f"of {', '.join(SCOPES)}",
                              json_schema_extra={"items": {"enum": list(SCOPES)}})
    site: _Id | None = Field(None, description="the site the key acts for (required for ingest)")
    sources: list[_Id] = Field(default_factory=list, max_length=1000, description="ingest: sources it posts for")
    kinds: list[_Id] = Field(default_factory=list, max_length=32, description="ingest: kinds it may send")
    label: str = Field("", max_length=200, description="what the key is for")
    roles: list[_Id] = Field(default_factory=list, max_length=32,
                             description="analyst and admin keys: roles that approve playbook steps")


def record_out(k: ApiKeyRecord) -> dict[str, Any]:
    return {"key_id": k.key_id, "scopes": list(k.scopes), "site": k.site, "sources": list(k.sources),
            "kinds": list(k.kinds), "roles": list(k.roles), "label": k.label, "revoked": k.revoked}


def _log_change(node: Node, admin: ApiKeyRecord, action: str, k: ApiKeyRecord) -> None:
    now = datetime.now(UTC)
    detail = " ".join(f"{name}={','.join(values)}" for name, values in (
        ("scopes", k.scopes), ("sources", k.sources), ("kinds", k.kinds), ("roles", k.roles)) if values)
    for site in [k.site] if k.site is not None else sorted(node.sites):
        event = Admin(id=new_admin_id(), ts=now, site=site, source=SOURCE, actor=admin.key_id, action=action,
                      target=k.key_id, detail=(detail + (f" label={k.label}" if k.label else ""))[:1000])
        node.ingestor.write_outputs(site, [event], durable=True)


def _may_manage(admin: ApiKeyRecord, k: ApiKeyRecord) -> bool:
    return admin.site is None or k.site == admin.site


@router.get("", summary="Every API key this admin key may manage (never a secret)", responses=responses(403))
async def list_keys(node: NodeDep, key: AdminKey) -> JSONBytes:
    records = await run_in_threadpool(node.store.list_keys)
    return json_response({"items": [record_out(k) for k in records if _may_manage(key, k)]})


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a key; its token is shown once",
             description="The CLI's rules: an ingest key is bound to a site and names its sources (and may name "
                         "kinds its sources may send); only ingest keys have sources and kinds; only analyst and "
                         "admin keys have roles; a key bound to a site needs the site installed. A broken rule is "
                         "a 422 saying which.",
             responses=responses(403, 404, 422, e404="the key's site is not installed on this node"),
             openapi_extra=body_limit(64 * KiB))
async def create_key(node: NodeDep, key: AdminKey, body: KeyIn) -> JSONBytes:
    if key.site is not None and body.site != key.site:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"API key {key.key_id} is bound to site {key.site!r} and "
                                                       f"makes keys for that site only: give site {key.site!r}")
    try:
        token, record = new_key(tuple(dict.fromkeys(body.scopes)), site=body.site, sources=tuple(body.sources),
                                kinds=tuple(body.kinds), label=body.label, roles=tuple(body.roles))
    except ValueError as e:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(e)) from e
    if record.site is not None:
        site = node.sites.get(record.site)
        if site is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"site {record.site!r} is not installed on this node "
                                                           f"(installed: {', '.join(sorted(node.sites)) or 'none'})")
        if (problem := binding_problem(record, site)) is not None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    await run_in_threadpool(_log_change, node, key, "create_api_key", record)
    await run_in_threadpool(node.store.put_key, record)
    return json_response({"token": token, **record_out(record)}, status.HTTP_201_CREATED)


@router.post("/{key_id}/revoke", summary="Revoke a key: it answers 401 from then on",
             responses=responses(403, 404, 409, e409="a key cannot revoke itself"))
async def revoke_key(node: NodeDep, key: AdminKey, key_id: str) -> JSONBytes:
    record = await run_in_threadpool(node.store.get_key, key_id)
    if record is None or not _may_manage(key, record):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no key {key_id!r} that this key may manage")
    if record.key_id == key.key_id:
        raise HTTPException(status.HTTP_409_CONFLICT, f"key {key_id} cannot revoke itself: use another admin key")
    if not record.revoked:
        await run_in_threadpool(node.store.put_key, revoked(record))
        await run_in_threadpool(_log_change, node, key, "revoke_api_key", record)
    return json_response(record_out(revoked(record)))
