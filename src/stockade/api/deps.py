"""Dependencies the routers take, all derived from the running :class:`Node`.

Routes declare what they need (``StoreDep``, ``NodeDep``, a scope); the app
factory provides the node, and tests swap it with ``dependency_overrides``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from stockade.node.runtime import Node
from stockade.store import Store


def get_node(request: Request) -> Node:
    """Overridden by the app factory with the node it was built for."""
    raise RuntimeError("the app factory did not provide a node")


def get_store(node: Annotated[Node, Depends(get_node)]) -> Store:
    return node.store


NodeDep = Annotated[Node, Depends(get_node)]
StoreDep = Annotated[Store, Depends(get_store)]
