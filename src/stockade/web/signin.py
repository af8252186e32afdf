"""Sign in with an API key, sign out.

The key is checked by the API (``GET /v1/keys/me``) and kept on the server; the
browser gets a session cookie (HttpOnly, SameSite=Strict, Secure over TLS).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stockade.web.client import ApiError
from stockade.web.deps import WebDep
from stockade.web.session import COOKIE, Identity

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, web: WebDep, error: str = "") -> HTMLResponse:
    return web.templates.TemplateResponse(request, "login.html", {"error": error, "me": None, "page": "login"})


@router.post("/login")
async def login(request: Request, web: WebDep, key: Annotated[str, Form()]) -> Response:
    token = key.strip()
    try:
        me = await web.api.get(token, "/v1/keys/me")
    except ApiError as e:
        return web.templates.TemplateResponse(request, "login.html", {"error": e.detail, "me": None, "page": "login"},
                                              status_code=401)
    identity = Identity(me["key_id"], tuple(me["scopes"]), frozenset(me["grants"]), me["site"],
                        frozenset(me.get("roles", ())))
    if not identity.may("read"):
        why = (f"key {identity.key_id} cannot read (scopes: {', '.join(identity.scopes)}); "
               "sign in with a read, analyst, auditor or admin key")
        return web.templates.TemplateResponse(request, "login.html", {"me": None, "page": "login", "error": why},
                                              status_code=403)
    session = web.sessions.create(token, identity)
    response = RedirectResponse("/ui/", status_code=303)
    response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/ui", max_age=int(web.sessions.idle_s) + 60)
    return response


@router.post("/logout")
def logout(request: Request, web: WebDep) -> RedirectResponse:
    web.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response
