"""The dashboard's forms: each one is a single API call made with the signed-in key.

A form the key's scopes do not allow is not drawn; if one is forged and posted
anyway, the API refuses it (403) and the page shows the API's own reason. Every
form carries the session's CSRF token (see :mod:`stockade.web.deps`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse

from stockade.web.client import ApiError
from stockade.web.deps import FormSession, WebDep

router = APIRouter(prefix="/ui", include_in_schema=False)
Text = Annotated[str, Form()]
Optional = Annotated[str | None, Form()]


def redirect_back(path: str, error: str | None = None) -> RedirectResponse:
    joiner = "&" if "?" in path else "?"
    return RedirectResponse(path + (f"{joiner}error={quote(error)}" if error else ""), status_code=303)


async def api_call(web: WebDep, token: str, method: str, path: str, back: str, *, json: Any = None,
                params: dict[str, Any] | None = None) -> RedirectResponse:
    try:
        await web.api.request(token, method, path, json=json, params=params)
    except ApiError as e:
        return redirect_back(back, f"{e.status}: {e.detail}")
    return redirect_back(back)


def _incident(site: str, incident_id: str) -> str:
    return f"/ui/incidents/{site}/{incident_id}"


@router.post("/incidents/{site}/{incident_id}/transition")
async def transition(web: WebDep, session: FormSession, site: str, incident_id: str, to: Text,
                     version: Annotated[int, Form()], reason: Optional = None,
                     disposition: Optional = None) -> RedirectResponse:
    body = {"to": to, "version": version, "reason": reason or None, "disposition": disposition or None}
    return await api_call(web, session.token, "POST", f"/v1/incidents/{site}/{incident_id}/transition",
                       _incident(site, incident_id), json={k: v for k, v in body.items() if v is not None})


@router.post("/incidents/{site}/{incident_id}/assign")
async def assign(web: WebDep, session: FormSession, site: str, incident_id: str, assignee: Text,
                 version: Annotated[int, Form()]) -> RedirectResponse:
    return await api_call(web, session.token, "POST", f"/v1/incidents/{site}/{incident_id}/assign",
                       _incident(site, incident_id), json={"assignee": assignee, "version": version})


@router.post("/incidents/{site}/{incident_id}/notes")
async def note(web: WebDep, session: FormSession, site: str, incident_id: str, text: Text) -> RedirectResponse:
    return await api_call(web, session.token, "POST", f"/v1/incidents/{site}/{incident_id}/notes",
                       _incident(site, incident_id), json={"text": text})


@router.post("/incidents/{site}/{incident_id}/steps/{step}/{verdict}")
async def decide_step(web: WebDep, session: FormSession, site: str, incident_id: str, step: str, verdict: str,
                      reason: Optional = None) -> RedirectResponse:
    if verdict not in ("approve", "reject"):
        return redirect_back(_incident(site, incident_id), f"unknown verdict {verdict!r}: approve or reject")
    return await api_call(web, session.token, "POST", f"/v1/incidents/{site}/{incident_id}/steps/{step}/{verdict}",
                       _incident(site, incident_id), json={"reason": reason} if reason else {})


@router.post("/access/{site}/threat-level")
async def set_threat(web: WebDep, session: FormSession, site: str, level: Text, zone: Optional = None,
                     detail: Optional = None) -> RedirectResponse:
    body = {"level": level, "zone": zone or None, "detail": detail or None}
    return await api_call(web, session.token, "PUT", f"/v1/access/threat-levels/{site}", f"/ui/access?site={site}",
                       json={k: v for k, v in body.items() if v is not None})


@router.post("/access/{site}/threat-level/clear")
async def clear_threat(web: WebDep, session: FormSession, site: str, zone: Optional = None) -> RedirectResponse:
    return await api_call(web, session.token, "DELETE", f"/v1/access/threat-levels/{site}", f"/ui/access?site={site}",
                       params={"zone": zone or None})
