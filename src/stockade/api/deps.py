"""Dependencies the routers take, all derived from the running :class:`Node`.

Routes declare what they need (``StoreDep``, ``NodeDep``, a scope); this module
is the one place that finds the node the app factory attached to the app, and
tests can still swap any of these with ``dependency_overrides``. (Overrides are
not used for production wiring: FastAPI analyses an override's signature on
every request, which was 40 % of an access decision's time.) They are coroutines: FastAPI runs a
plain function dependency in a worker thread, a crossing each, and a dependency here does no I/O.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from stockade.node.runtime import Node
from stockade.store import Store


async def get_node(request: Request) -> Node:
    """The node the app factory built this app for."""
    node = getattr(request.app.state, "node", None)
    if not isinstance(node, Node):
        raise TypeError("the app was not built by stockade.api.app.create_app")
    return node


async def get_store(node: Annotated[Node, Depends(get_node)]) -> Store:
    return node.store


NodeDep = Annotated[Node, Depends(get_node)]
StoreDep = Annotated[Store, Depends(get_store)]
