"""``GET /healthz`` (the only open path) and ``GET /v1/metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.responses import JSONResponse

from stockade import __version__
from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import PrometheusText
from stockade.api.schemas import Health
from stockade.store import ApiKeyRecord

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness: open, no key needed; 503 while recovering or when detection has stopped",
            responses={200: {"model": Health},
                       503: {"model": Health, "description": "recovering after a start (`status: recovering` "
                                                             "with the site, `done` and `of` events), or the "
                                                             "engine is not running: events are stored, not "
                                                             "analysed"}})
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


@router.get("/metrics", summary="Prometheus metrics (needs a read key bound to no site)", response_class=PrometheusText)
@router.get("/v1/metrics", summary="Prometheus metrics (needs a read key bound to no site)",
            response_class=PrometheusText)
def metrics(node: NodeDep, key: Annotated[ApiKeyRecord, Depends(require_scope("read"))]) -> Response:
    if key.site is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"API key {key.key_id} is bound to site {key.site!r}; metrics cover every site, "
                            "so they need a read key bound to none (`stockade apikey create --scope read`)")
    return PrometheusText(node.metrics.render())
