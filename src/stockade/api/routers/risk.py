"""``GET /v1/risk/{site}``: the riskiest people, credentials, zones, devices and vendors now.

Scores run from 0 to 100, built by the engine from alerts with exponential
decay on event time and from anomaly scores; "now" is the site's event time.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.api.schemas import RiskOut
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1", tags=["risk"])
RiskType = Literal["person", "credential", "zone", "device", "vendor"]
RISK_TYPES: tuple[RiskType, ...] = ("person", "credential", "zone", "device", "vendor")


@router.get("/risk/{site}", summary="Risk scores 0-100 of a site's riskiest entities, by type",
            responses={200: {"model": RiskOut}, **responses(404)})
def risk(
    node: NodeDep,
    key: Annotated[ApiKeyRecord, Depends(require_scope("read"))],
    site: str,
    type_: Annotated[list[RiskType] | None, Query(alias="type", description="entity types; all when omitted")] = None,
    n: Annotated[int, Query(ge=1, le=1000, description="how many per type")] = 20,
) -> JSONBytes:
    check_site(key, site)
    if site not in node.sites:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown site {site!r}")
    model, now = node.engine.risk(site)
    scores: dict[str, list[dict[str, object]]] = {}
    for etype in type_ or RISK_TYPES:
        top = model.top(etype, n, now) if model is not None and now is not None else []
        scores[etype] = [{"id": eid, "score": score} for eid, score in top]
    return json_response({"site": site, "at": now.isoformat() if now else None, "scores": scores})
