"""The app factory: a FastAPI app for one :class:`Node`.

    >>> node = Node.open(Settings(data_dir=tmp))         # doctest: +SKIP
    >>> app = create_app(node)                            # doctest: +SKIP

The node is attached to the app and reaches the routes through
``stockade.api.deps.get_node``; nothing is read from the environment here.
OpenAPI is served at ``/docs`` and ``/openapi.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from stockade import __version__
from stockade.api.routers import access, epcis, events, inventory, ledger, outputs, risk, stream, system
from stockade.node.runtime import Node

DESCRIPTION = """Stockade joins door access, cameras, sensors, RFID and the WMS into one ordered,
tamper-evident log per site, detects theft as it happens and proves it.

Authenticate with `Authorization: Bearer stk_<id>_<secret>`. Only `/healthz` is open."""


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

    app = FastAPI(title="Stockade", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.node = node  # found by stockade.api.deps.get_node, the one place that looks
    for module in (system, events, outputs, risk, stream, ledger, access, inventory):
        app.include_router(module.router)
    epcis.install(app)
    return app
