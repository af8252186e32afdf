"""``GET /healthz`` (the only open path) and ``GET /v1/metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST

from stockade import __version__
from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.store import ApiKeyRecord

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness: open, no key needed")
def healthz(node: NodeDep) -> dict[str, object]:
    return {"status": "ok", "version": __version__, "sites": sorted(node.sites)}


@router.get("/metrics", summary="Prometheus metrics (needs a read key)")
@router.get("/v1/metrics", summary="Prometheus metrics (needs a read key)")
def metrics(node: NodeDep, _key: Annotated[ApiKeyRecord, Depends(require_scope("read"))]) -> Response:
    return Response(node.metrics.render(), media_type=CONTENT_TYPE_LATEST)
