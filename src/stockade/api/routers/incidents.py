"""Incidents: the projection, paged with a cursor, and the analysts' changes (scope ``analyst``).

    GET  /v1/incidents?site=&status=&cursor=&limit=     {"items": [...], "next_cursor": str | null}
    GET  /v1/incidents/{site}/{id}                      the incident, its timeline (alerts and evidence)
    POST /v1/incidents/{site}/{id}/transition           {"to", "reason"?, "disposition"?, "duplicate_of"?, "version"}
    POST /v1/incidents/{site}/{id}/assign               {"assignee", "version"}
    POST /v1/incidents/{site}/{id}/notes                {"text"}
    POST /v1/incidents/{site}/{id}/tasks/{task}/done    {}
    POST /v1/incidents/{site}/{id}/steps/{step}/approve {"reason"?}   (…/reject likewise)

Items have the shape of ``stockade analyze --json`` (:mod:`stockade.incidents.records`).
A change the lifecycle refuses is a 409 (with ``allowed`` for an impossible
transition, or a stale ``version``), 403 for approving one's own step or one that
needs a role the key does not have (``stockade apikey create --role``), 422 for a
missing reason or disposition, 404 for an unknown incident. Bodies are small
pydantic models (a few hundred bytes; strings are capped).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep, StoreDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.api.schemas import IncidentPage
from stockade.events.model import IncidentStatus
from stockade.incidents.lifecycle import AddNote, Assign, Change, CompleteTask, Decide, Refusal, Transition
from stockade.incidents.model import Disposition, IncidentState
from stockade.incidents.records import incident_record
from stockade.store import ApiKeyRecord, IncidentCursor, IncidentQuery
from stockade.store.incidents import page

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
AnalystKey = Annotated[ApiKeyRecord, Depends(require_scope("analyst"))]
_Text = Annotated[str, Field(min_length=1, max_length=2_000)]
_Id = Annotated[str, Field(min_length=1, max_length=128)]
_Version = Annotated[int, Field(ge=1, le=2**63 - 1, description="the version you read; a newer one is a 409")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransitionIn(_Body):
    to: IncidentStatus = Field(description="new, acknowledged, contained, resolved or closed")
    reason: _Text | None = Field(None, description="why; required to reopen")
    disposition: Disposition | None = Field(None, description="required to resolve or close")
    duplicate_of: _Id | None = Field(None, description="the incident this one repeats (disposition duplicate)")
    version: _Version


class AssignIn(_Body):
    assignee: _Id = Field(description="a person or a role")
    version: _Version


class NoteIn(_Body):
    text: _Text


class DecisionIn(_Body):
    reason: _Text | None = None


def _item(state: IncidentState) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(incident_record(state))
    return out


@router.get("", summary="Incidents, newest opened first, a page at a time",
            responses={200: {"model": IncidentPage}, **responses(422)})
def list_incidents(
    store: StoreDep,
    key: ReadKey,
    site: Annotated[str | None, Query(description="only this site")] = None,
    status_: Annotated[IncidentStatus | None, Query(alias="status", description="only this status")] = None,
    cursor: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{4,1024}={0,2}$",
                                        description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> JSONBytes:
    try:
        after = IncidentCursor.decode(cursor) if cursor else None
    except ValueError as e:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(e)) from e
    if site is not None:
        check_site(key, site)
    got = page(store, IncidentQuery(site if site is not None else key.site, status_, after, limit))
    return json_response({"items": [_item(s) for s in got.items], "next_cursor": got.next_cursor})


@router.get("/{site}/{incident_id}", summary="One incident: lifecycle, steps, SLA, history and timeline",
            responses=responses(404))
def get_incident(store: StoreDep, key: ReadKey, site: str, incident_id: str) -> JSONBytes:
    check_site(key, site)
    state = store.get_incident(site, incident_id)
    if state is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no incident {incident_id!r} in site {site!r}")
    linked = [row.event for i in (*state.alerts, *state.evidence) if (row := store.get(site, i)) is not None]
    timeline = sorted(linked, key=lambda e: e.ts)
    return json_response({**_item(state), "timeline": [msgspec.to_builtins(e) for e in timeline]})


async def _change(node: NodeDep, key: ApiKeyRecord, site: str, incident_id: str, change: Change,
                  version: int | None) -> JSONBytes:
    check_site(key, site)
    result = await run_in_threadpool(node.desk.change, site, incident_id, change, actor=key.key_id,
                                     version=version, roles=key.roles)
    if isinstance(result, Refusal):
        code = {"conflict": status.HTTP_409_CONFLICT, "forbidden": status.HTTP_403_FORBIDDEN,
                "invalid": status.HTTP_422_UNPROCESSABLE_CONTENT, "not_found": status.HTTP_404_NOT_FOUND}
        detail: dict[str, Any] = {"reason": result.reason}
        if result.allowed:
            detail["allowed"] = list(result.allowed)
        raise HTTPException(code[result.code], detail)
    return json_response(_item(result))


@router.post("/{site}/{incident_id}/transition", summary="Move an incident through its lifecycle",
             responses=responses(404, 409, 422))
async def transition(node: NodeDep, key: AnalystKey, site: str, incident_id: str, body: TransitionIn) -> JSONBytes:
    change = Transition(body.to, body.reason, body.disposition, body.duplicate_of)
    return await _change(node, key, site, incident_id, change, body.version)


@router.post("/{site}/{incident_id}/assign", summary="Assign an incident to a person or a role",
             responses=responses(404, 409, 422))
async def assign(node: NodeDep, key: AnalystKey, site: str, incident_id: str, body: AssignIn) -> JSONBytes:
    return await _change(node, key, site, incident_id, Assign(body.assignee), body.version)


@router.post("/{site}/{incident_id}/notes", summary="Add a note",
             responses=responses(404, 409, 422))
async def note(node: NodeDep, key: AnalystKey, site: str, incident_id: str, body: NoteIn) -> JSONBytes:
    return await _change(node, key, site, incident_id, AddNote(body.text), None)


@router.post("/{site}/{incident_id}/tasks/{task}/done", summary="Mark a task done",
             responses=responses(404, 409, 422))
async def task_done(node: NodeDep, key: AnalystKey, site: str, incident_id: str, task: str) -> JSONBytes:
    return await _change(node, key, site, incident_id, CompleteTask(task), None)


@router.post("/{site}/{incident_id}/steps/{step}/approve", summary="Approve a playbook step",
             responses=responses(403, 404, 409, 422))
async def approve(node: NodeDep, key: AnalystKey, site: str, incident_id: str, step: str,
                  body: DecisionIn | None = None) -> JSONBytes:
    reason = body.reason if body is not None else None
    return await _change(node, key, site, incident_id, Decide(step, approve=True, reason=reason), None)


@router.post("/{site}/{incident_id}/steps/{step}/reject", summary="Reject a playbook step",
             responses=responses(403, 404, 409, 422))
async def reject(node: NodeDep, key: AnalystKey, site: str, incident_id: str, step: str,
                 body: DecisionIn | None = None) -> JSONBytes:
    reason = body.reason if body is not None else None
    return await _change(node, key, site, incident_id, Decide(step, approve=False, reason=reason), None)
