"""``GET /v1/connectors``: each connector's state, last message, lag and errors, and the webhook dead letters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.store import ApiKeyRecord

router = APIRouter(tags=["connectors"])


@router.get("/v1/connectors", summary="Connectors: state, last message, lag, errors, refusals by reason, "
            "webhook outbox and dead letters (needs a read key)")
def connectors(node: NodeDep, _key: Annotated[ApiKeyRecord, Depends(require_scope("read"))]) -> dict[str, object]:
    return node.connectors.status(node.store)
