"""The security desk in a browser, served by the same app as the API under ``/ui``.

    >>> app = create_dashboard(node, idle=timedelta(minutes=15))     # doctest: +SKIP

Server-rendered (Jinja2) with htmx and server-sent events for the live parts;
every script and style is vendored in ``static/`` (a site network has no
internet). Pages read only what the API serves, with the signed-in key (see
:mod:`stockade.web.client`). Responses carry a strict Content-Security-Policy:
scripts, styles and connections from this origin only.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockade.api.app import create_app
from stockade.node.runtime import Node
from stockade.web import actions, admin, evidence, live, pages, signin, verify
from stockade.web.client import ApiClient, ApiError
from stockade.web.deps import SignInRequired, Web, web_of
from stockade.web.render import STATIC, templates
from stockade.web.session import COOKIE, Sessions

ENDED = "/ui/login?error=Your+session+has+ended%3A+sign+in+again"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def create_dashboard(node: Node, *, start_node: bool = True, idle: timedelta = timedelta(minutes=15)) -> FastAPI:
    """The API app with the dashboard mounted on it."""
    app = create_app(node, start_node=start_node)
    mount_dashboard(app, idle=idle)
    return app


def mount_dashboard(app: FastAPI, *, idle: timedelta = timedelta(minutes=15),
                    sessions: Sessions | None = None) -> None:
    app.state.web = Web(sessions or Sessions(idle), ApiClient(app), templates())
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    for module in (signin, pages, actions, admin, evidence, live, verify):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": ENDED})  # htmx follows it; no error to log
        return RedirectResponse(ENDED, status_code=303)

    @app.exception_handler(ApiError)
    async def _api_refused(request: Request, exc: ApiError) -> Response:
        if exc.status == 401:  # the key was revoked since sign-in
            web_of(request).sessions.end(request.cookies.get(COOKIE))
            return RedirectResponse("/ui/login?error=The+API+no+longer+accepts+this+key", status_code=303)
        web = web_of(request)
        return web.templates.TemplateResponse(request, "error.html", {"error": exc, "me": None, "page": "error"},
                                              status_code=exc.status)

    app.add_middleware(UiHeaders)


UI_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
              (b"referrer-policy", b"same-origin")]  # no-referrer would make form posts say Origin: null


class UiHeaders:
    """The dashboard's security headers on every ``/ui`` answer: a pure ASGI middleware, so a live
    stream's messages pass straight through (a ``BaseHTTPMiddleware`` copies each one between tasks)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/ui"):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [h for h in UI_HEADERS if h[0] not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
