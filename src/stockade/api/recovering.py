"""While a node rebuilds its access facts at start, only ``/healthz`` answers; the rest is a 503.

A node started in the background (``stockade serve``) listens at once, so a
restart is visible (``/healthz``: ``recovering``, with the site and progress).
Until the decision point's facts are rebuilt from the log, no door decision
may be taken on half of them and no event may be folded in out of order: every
other request gets 503 with ``Retry-After`` (a device retries; a door
controller keeps its cached fail-secure answer). A plain ASGI middleware, so
it costs one check per request and leaves streaming responses alone.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from stockade.node.runtime import Node

OPEN_WHILE_RECOVERING = frozenset({"/healthz", "/openapi.json", "/docs"})  # the open paths: they hold no data


class RecoveringGate:
    def __init__(self, app: ASGIApp, node: Node) -> None:
        self._app = app
        self._node = node

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._node.serving.is_set() \
                and scope["path"] not in OPEN_WHILE_RECOVERING and not scope["path"].startswith("/docs/"):
            response = JSONResponse(
                {"detail": "the node is rebuilding its state from the log after a start; retry shortly "
                           "(GET /healthz shows the progress)"},
                status_code=503, headers={"Retry-After": "2"})
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)
