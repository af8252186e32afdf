"""``GET /healthz`` (the only open path) and ``GET /v1/metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from stockade import __version__
from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import PrometheusText
from stockade.api.schemas import Health
from stockade.store import ApiKeyRecord

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness: open, no key needed; 503 when detection has stopped",
            responses={200: {"model": Health},
                       503: {"model": Health, "description": "the engine is not running: events are stored, "
                                                             "not analysed"}})
def healthz(node: NodeDep) -> JSONResponse:
    body: dict[str, object] = {"status": "ok", "version": __version__, "sites": sorted(node.sites)}
    if not node.engine.alive:
        body |= {"status": "degraded", "problem": "the detection engine has stopped; see the node's log"}
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


@router.get("/metrics", summary="Prometheus metrics (needs a read key)", response_class=PrometheusText)
@router.get("/v1/metrics", summary="Prometheus metrics (needs a read key)", response_class=PrometheusText)
def metrics(node: NodeDep, _key: Annotated[ApiKeyRecord, Depends(require_scope("read"))]) -> Response:
    return PrometheusText(node.metrics.render())
