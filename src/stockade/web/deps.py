"""What the dashboard's routes take: its state, the signed-in session, a checked form.

A page without a live session redirects to the sign-in page (htmx requests get
``HX-Redirect``); a form that changes anything must carry the session's CSRF
token (field ``csrf`` or header ``X-CSRF-Token``) and, when the browser sends an
``Origin``, come from this server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.templating import Jinja2Templates

from stockade.web.charts import Recent
from stockade.web.client import ApiClient
from stockade.web.render import Rendered
from stockade.web.session import COOKIE, Session, Sessions


@dataclass(frozen=True, slots=True)
class Web:
    sessions: Sessions
    api: ApiClient
    templates: Jinja2Templates
    rendered: Rendered = field(default_factory=Rendered)
    recent: Recent = field(default_factory=Recent)


class SignInRequired(Exception):
    """No live session: the handler sends the browser to the sign-in page."""


def web_of(request: Request) -> Web:
    web = getattr(request.app.state, "web", None)
    if not isinstance(web, Web):
        raise TypeError("the dashboard was not mounted by stockade.web.app.create_dashboard")
    return web


async def get_web(request: Request) -> Web:
    """:func:`web_of` as a dependency (a coroutine: no crossing to a worker thread for it)."""
    return web_of(request)


WebDep = Annotated[Web, Depends(get_web)]


async def current_session(request: Request, web: WebDep) -> Session:
    session = web.sessions.get(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired
    return session


SessionDep = Annotated[Session, Depends(current_session)]


async def checked_session(request: Request, session: SessionDep) -> Session:
    """The session of a state-changing request, after its CSRF token and origin are checked."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"cross-origin form from {origin} refused")
    presented = request.headers.get("x-csrf-token")
    if presented is None:
        form = await request.form()
        value = form.get("csrf")
        presented = value if isinstance(value, str) else None
    if not session.csrf_ok(presented):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token: reload the page")
    return session


FormSession = Annotated[Session, Depends(checked_session)]
