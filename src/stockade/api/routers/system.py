"""``GET /healthz`` (the only open path) and ``GET /v1/metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from stockade import __version__
from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.store import ApiKeyRecord

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness: open, no key needed; 503 while recovering or when detection has stopped",
            responses={503: {"description": "recovering after a start (`status: recovering` with the site, "
                                            "`done` and `of` events), or the engine is not running: events "
                                            "are stored, not analysed"}})
def healthz(node: NodeDep) -> JSONResponse:
    body: dict[str, object] = {"status": "ok", "version": __version__, "sites": sorted(node.sites)}
    recovery = node.recovery
    if recovery.failed is not None:
        body |= {"status": "degraded", "problem": recovery.failed}
        return JSONResponse(body, status_code=503)
    if not recovery.ready:
        status = recovery.status()
        body |= {"status": "recovering", "site": status.site if status else None,
                 "done": status.done if status else 0, "of": status.of if status else 0}
        return JSONResponse(body, status_code=503)
    if not node.engine.alive:
        body |= {"status": "degraded", "problem": "the detection engine has stopped; see the node's log"}
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


@router.get("/metrics", summary="Prometheus metrics (needs a read key)")
@router.get("/v1/metrics", summary="Prometheus metrics (needs a read key)")
def metrics(node: NodeDep, _key: Annotated[ApiKeyRecord, Depends(require_scope("read"))]) -> Response:
    return Response(node.metrics.render(), media_type=CONTENT_TYPE_LATEST)
