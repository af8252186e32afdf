"""What Stockade found: ``GET /v1/alerts``, ``/v1/incidents``, ``/v1/incidents/{id}``.

Without ``site``, the lists cover every site the key may read (its own site
for a key bound to one, else every loaded site), newest first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, status

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep, StoreDep
from stockade.api.encoding import JSONBytes, json_response, rows_response
from stockade.api.problems import responses
from stockade.api.schemas import EventPage, IncidentOut, ItemsOut, Rfc3339
from stockade.events import Incident
from stockade.events.model import SEVERITIES, Severity
from stockade.store import ApiKeyRecord, EventQuery, Store

router = APIRouter(prefix="/v1", tags=["alerts and incidents"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
_SCAN = 10_000
SiteFilter = Annotated[str | None, Query(description="site id; omit for every site the key may read")]


def readable_sites(node: NodeDep, key: ReadKey, site: str | None) -> list[str]:
    """The sites a list covers: the one asked for, else those the key may read."""
    if site is not None:
        check_site(key, site)
        return [site]
    return [key.site] if key.site else sorted(node.sites)


@router.get("/alerts", summary="Alerts, newest first (of one site, or of every site the key may read)",
            responses={200: {"model": EventPage}})
def alerts(
    node: NodeDep,
    store: StoreDep,
    key: ReadKey,
    site: SiteFilter = None,
    since: Annotated[Rfc3339 | None, Query(description="event time from")] = None,
    min_severity: Annotated[Severity, Query(description="lowest severity to list")] = "info",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONBytes:
    floor = SEVERITIES.index(min_severity)
    kept = [r for s in readable_sites(node, key, site)
            for r in store.query(EventQuery(s, since=since, kinds=("alert",), limit=_SCAN, newest_first=True))
            if SEVERITIES.index(getattr(r.event, "severity", "info")) >= floor]
    kept.sort(key=lambda r: r.event.ts, reverse=True)
    return rows_response(kept[:limit])


def incident_versions(store: Store, site: str, since: datetime | None = None) -> dict[str, list[Incident]]:
    """Every stored version of each incident, oldest first."""
    versions: dict[str, list[Incident]] = {}
    for row in store.query(EventQuery(site, since=since, kinds=("incident",), limit=_SCAN)):
        event = row.event
        if isinstance(event, Incident):
            versions.setdefault(event.incident, []).append(event)
    return versions


@router.get("/incidents", summary="Incidents (latest version of each), newest first; of one site or of every "
            "site the key may read", responses={200: {"model": ItemsOut}})
def incidents(
    node: NodeDep,
    store: StoreDep,
    key: ReadKey,
    site: SiteFilter = None,
    since: Annotated[Rfc3339 | None, Query(description="event time from")] = None,
    status_: Annotated[str | None, Query(alias="status", description="only this status")] = None,
) -> JSONBytes:
    latest = [v[-1] for s in readable_sites(node, key, site) for v in incident_versions(store, s, since).values()]
    if status_ is not None:
        latest = [i for i in latest if i.status == status_]
    latest.sort(key=lambda i: i.ts, reverse=True)
    return json_response({"items": [msgspec.to_builtins(i) for i in latest]})


@router.get("/incidents/{site}/{incident_id}", summary="One incident: its versions, alerts and evidence",
            responses={200: {"model": IncidentOut}, **responses(404)})
def incident(store: StoreDep, key: ReadKey, site: str, incident_id: str) -> JSONBytes:
    check_site(key, site)
    versions = incident_versions(store, site).get(incident_id)
    if not versions:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no incident {incident_id!r} in site {site!r}")
    latest = versions[-1]
    alerts = [row.event for a in latest.alerts if (row := store.get(site, a)) is not None]
    evidence = [row.event for e in latest.evidence if (row := store.get(site, e)) is not None]
    timeline = sorted([*alerts, *evidence], key=lambda e: e.ts)
    return json_response({
        "incident": msgspec.to_builtins(latest),
        "versions": [msgspec.to_builtins(v) for v in versions],
        "timeline": [msgspec.to_builtins(e) for e in timeline],
    })
