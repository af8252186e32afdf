"""The admin page: API keys (list, create, revoke) and the playbooks in force, for an ``admin`` key.

Every read and change is the API's (``/v1/keys``, ``/v1/playbooks``), made with
the signed-in key, so a key without the admin scope is refused by the API itself
(the page shows the 403) and its forged form posts are too. A new key's token is
shown once, in the answer to the form that made it, and never put in a URL.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stockade.node.keys import SCOPE_HELP, SCOPES
from stockade.web.actions import api_call, redirect_back
from stockade.web.client import ApiError
from stockade.web.deps import FormSession, SessionDep, WebDep
from stockade.web.session import Session

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE = "/ui/admin"


def words(text: str | None) -> list[str]:
    """A form's list field: names separated by commas or spaces."""
    return [w for w in re.split(r"[,\s]+", text or "") if w]


async def _admin_page(request: Request, web: WebDep, session: Session, *, error: str = "",
                      created: dict[str, Any] | None = None) -> HTMLResponse:
    keys, playbooks, sites = await asyncio.gather(
        web.api.get(session.token, "/v1/keys"),
        web.api.get(session.token, "/v1/playbooks"),
        web.api.get(session.token, "/v1/sites"),
    )
    return web.templates.TemplateResponse(request, "admin.html", {
        "me": session.identity, "csrf": session.csrf, "page": "admin", "error": error, "keys": keys["items"],
        "playbooks": playbooks, "sites": sites["items"], "scopes": SCOPES, "scope_help": SCOPE_HELP,
        "created": created})


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request, web: WebDep, session: SessionDep, error: str = "") -> HTMLResponse:
    return await _admin_page(request, web, session, error=error)


@router.post("/admin/keys", response_model=None)
async def create_key(request: Request, web: WebDep, session: FormSession,
                     scopes: Annotated[list[str], Form()], site: Annotated[str, Form()] = "",
                     sources: Annotated[str, Form()] = "", kinds: Annotated[str, Form()] = "",
                     label: Annotated[str, Form()] = "", roles: Annotated[str, Form()] = "") -> Response:
    body = {"scopes": scopes, "site": site or None, "sources": words(sources), "kinds": words(kinds), "label": label,
            "roles": words(roles)}
    try:
        created = await web.api.request(session.token, "POST", "/v1/keys", json=body)
    except ApiError as e:
        return redirect_back(PAGE, f"{e.status}: {e.detail}")
    return await _admin_page(request, web, session, created=created)


@router.post("/admin/keys/{key_id}/revoke")
async def revoke_key(web: WebDep, session: FormSession, key_id: str) -> RedirectResponse:
    return await api_call(web, session.token, "POST", f"/v1/keys/{key_id}/revoke", PAGE)
