"""``GET /v1/risk/{site}``: the riskiest people, credentials, zones, devices and vendors now;
``GET /v1/risk/{site}/{type}/{id}``: one entity's score and the alerts that make it.

Scores run from 0 to 100, built by the engine from alerts with exponential
decay on event time and from anomaly scores; "now" is the site's event time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.api.schemas import RiskExplained, RiskOut
from stockade.events import Alert
from stockade.events.entities import EntityType
from stockade.store import ApiKeyRecord, EventQuery, Store

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


@router.get("/risk/{site}/{type_}/{entity}", summary="One entity's risk score and the alerts that weigh most in it",
            responses={200: {"model": RiskExplained}, **responses(404)})
def explain(
    node: NodeDep,
    key: Annotated[ApiKeyRecord, Depends(require_scope("read"))],
    site: str,
    type_: RiskType,
    entity: str,
    n: Annotated[int, Query(ge=1, le=50, description="how many contributions")] = 3,
) -> JSONBytes:
    check_site(key, site)
    config = node.sites.get(site)
    if config is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown site {site!r}")
    model, now = node.engine.risk(site)
    if model is None or now is None:
        return json_response({"site": site, "type": type_, "id": entity, "at": None, "score": 0.0,
                              "contributions": []})
    refs: list[tuple[EntityType, str]] = [(type_, entity)]
    if type_ == "person":  # a credential's alerts count for its holder
        refs += [("credential", c) for c in config.people_by_id[entity].credentials] \
            if entity in config.people_by_id else []
    alerts = _alerts_naming(node.store, site, refs, now - model.horizon())
    return json_response({
        "site": site, "type": type_, "id": entity, "at": now.isoformat(), "score": model.score(type_, entity, now),
        "contributions": [{"alert": c.alert, "detector": c.detector, "severity": c.severity,
                           "ts": c.ts.isoformat(), "summary": c.summary, "weight": c.weight, "share": c.share}
                          for c in model.explain(alerts, type_, entity, now, n)],
    })


def _alerts_naming(store: Store, site: str, refs: list[tuple[EntityType, str]], since: datetime) -> list[Alert]:
    """The alerts since ``since`` that name any of ``refs`` (the entity index answers), each once."""
    seen: dict[str, Alert] = {}
    for ref in refs:
        rows = store.query(EventQuery(site, since=since, kinds=("alert",), entity=ref, limit=1000,
                                      newest_first=True))
        for row in rows:
            event = row.event
            if isinstance(event, Alert):
                seen.setdefault(event.id, event)
    return list(seen.values())
