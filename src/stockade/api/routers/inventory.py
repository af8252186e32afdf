"""Inventory reconciliation and shrinkage over HTTP (``read`` scope).

    GET /v1/inventory/{site}/reconciliation?since=&until=   expected vs seen per zone and SKU, differences,
                                                            record accuracy (now and per week), shrinkage
    GET /v1/inventory/{site}/shrinkage?since=&until=        shrinkage by zone, SKU, week and reason

Both fold the site's stock and tag events (``until`` exclusive; ``since`` limits the weekly series).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool

from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.inventory.reconcile import reconcile
from stockade.inventory.reconciliation import Reconciliation
from stockade.node.runtime import Node
from stockade.reports.inventory import stock_and_tags
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1/inventory", tags=["inventory"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
Since = Annotated[datetime | None, Query(description="weekly series from (RFC 3339)")]
Until = Annotated[datetime | None, Query(description="reconcile as of (RFC 3339, exclusive)")]


def run(node: Node, key: ApiKeyRecord, site: str, since: datetime | None, until: datetime | None) -> Reconciliation:
    config = node.sites.get(site)
    if config is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no site {site!r}")
    if key.site is not None and key.site != site:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"API key {key.key_id} reads site {key.site} only")
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} needs an offset")
    return reconcile(config, stock_and_tags(node.store, site, until), since=since, until=until)


@router.get("/{site}/reconciliation", summary="Expected (WMS) against seen (reads, counts), explained",
            responses=responses(404))
async def reconciliation(node: NodeDep, key: ReadKey, site: str, since: Since = None, until: Until = None) -> JSONBytes:
    result = await run_in_threadpool(run, node, key, site, since, until)
    return json_response(result.as_dict())


@router.get("/{site}/shrinkage", summary="Shrinkage by zone, SKU, value, week and reason",
            responses=responses(404))
async def shrinkage(node: NodeDep, key: ReadKey, site: str, since: Since = None, until: Until = None) -> JSONBytes:
    result = await run_in_threadpool(run, node, key, site, since, until)
    return json_response({"site": site, "as_of": result.as_of.isoformat() if result.as_of else None,
                          **result.shrinkage_dict()})
