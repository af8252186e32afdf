"""The app factory: a FastAPI app for one :class:`Node`.

    >>> node = Node.open(Settings(data_dir=tmp))         # doctest: +SKIP
    >>> app = create_app(node)                            # doctest: +SKIP

The node is attached to the app and reaches the routes through
``stockade.api.deps.get_node``; nothing is read from the environment here.
OpenAPI is served at ``/docs`` (Swagger UI from local assets, see
:mod:`stockade.api.docs`) and ``/openapi.json``; both are open. Every request
body passes :class:`stockade.api.limits.BodyGuard` (key first, then the
route's size limit, then strict JSON) before any route reads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.types import Scope

from stockade import __version__
from stockade.api.auth import checked_key, remember_key
from stockade.api.docs import add_docs
from stockade.api.limits import Authenticator, BodyGuard, Refused
from stockade.api.openapi import document
from stockade.api.problems import bus_unavailable, validation_failed
from stockade.api.recovering import RecoveringGate
from stockade.api.routers import (
    access,
    admin,
    connectors,
    epcis,
    epcis_query,
    events,
    evidence,
    incidents,
    inventory,
    keys,
    ledger,
    outputs,
    playbooks,
    risk,
    sites,
    stream,
    system,
)
from stockade.node.roles.api import BusUnavailable
from stockade.node.runtime import Node

DESCRIPTION = """Stockade joins door access, cameras, sensors, RFID and the WMS into one ordered,
tamper-evident log per site, detects theft as it happens and proves it.

Authenticate with `Authorization: Bearer stk_<id>_<secret>` (the Authorize button). Only `/healthz`,
`/docs` and `/openapi.json` are open. A request body is read only after its key authenticates, and only up
to the route's limit (`x-body-limit`, in bytes): over it is a 413 that names the limit."""


def key_checker(node: Node) -> Authenticator:
    """The check :class:`BodyGuard` makes before reading a body: the same one every route's scope makes."""

    async def check(scope: Scope) -> Refused | None:
        headers = Headers(scope=scope)
        try:
            record = await checked_key(node.store, headers.get("authorization"), headers.get("x-api-key"))
        except HTTPException as e:
            return Refused(e.status_code, e.detail, dict(e.headers or {}))
        remember_key(scope, record)
        return None

    return check


def create_app(node: Node, *, start_node: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_node:
            node.start()
        try:
            yield
        finally:
            if start_node:
                node.stop()

    app = FastAPI(title="Stockade", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.node = node  # found by stockade.api.deps.get_node, the one place that looks
    routers = [module.router for module in (system, events, outputs, incidents, evidence, risk, stream, ledger, access,
                                            admin, connectors, sites, keys, playbooks, inventory, epcis, epcis_query)]
    for router in routers:
        app.include_router(router)
    # the routes as declared (their paths include the router's prefix): what BodyGuard and the OpenAPI
    # document read each route's body rule from, whatever FastAPI does with included routers
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    add_docs(app)
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(BusUnavailable, bus_unavailable)  # a cluster API node: 503, never a silent accept
    app.add_middleware(BodyGuard, routes=routes, authenticate=key_checker(node),
                       node_limit=node.settings.max_body_bytes, session_prefixes=("/ui/",))
    app.openapi = lambda: document(app, routes, node.settings.max_body_bytes)  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema
    epcis.install(app)  # after BodyGuard: its refusals under /v1/epcis become EPCIS problems
    app.add_middleware(RecoveringGate, node=node)  # outermost: only /healthz until the node serves
    return app
