"""What Stockade found: ``GET /v1/alerts``, ``/v1/incidents``, ``/v1/incidents/{id}``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, status

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import StoreDep
from stockade.api.encoding import JSONBytes, json_response, rows_response
from stockade.events import Incident
from stockade.events.model import SEVERITIES, Severity
from stockade.store import ApiKeyRecord, EventQuery, Store

router = APIRouter(prefix="/v1", tags=["alerts and incidents"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
_SCAN = 10_000


@router.get("/alerts", summary="Alerts of a site, newest first")
def alerts(
    store: StoreDep,
    key: ReadKey,
    site: str,
    since: Annotated[datetime | None, Query(description="event time from")] = None,
    min_severity: Annotated[Severity, Query(description="lowest severity to list")] = "info",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONBytes:
    check_site(key, site)
    floor = SEVERITIES.index(min_severity)
    rows = store.query(EventQuery(site, since=since, kinds=("alert",), limit=_SCAN, newest_first=True))
    kept = [r for r in rows if SEVERITIES.index(getattr(r.event, "severity", "info")) >= floor]
    return rows_response(kept[:limit])


def incident_versions(store: Store, site: str, since: datetime | None = None) -> dict[str, list[Incident]]:
    """Every stored version of each incident, oldest first."""
    versions: dict[str, list[Incident]] = {}
    for row in store.query(EventQuery(site, since=since, kinds=("incident",), limit=_SCAN)):
        event = row.event
        if isinstance(event, Incident):
            versions.setdefault(event.incident, []).append(event)
    return versions


@router.get("/incidents", summary="Incidents of a site (latest version of each), newest first")
def incidents(
    store: StoreDep,
    key: ReadKey,
    site: str,
    since: Annotated[datetime | None, Query(description="event time from")] = None,
    status_: Annotated[str | None, Query(alias="status", description="only this status")] = None,
) -> JSONBytes:
    check_site(key, site)
    latest = [v[-1] for v in incident_versions(store, site, since).values()]
    if status_ is not None:
        latest = [i for i in latest if i.status == status_]
    latest.sort(key=lambda i: i.ts, reverse=True)
    return json_response({"items": [msgspec.to_builtins(i) for i in latest]})


@router.get("/incidents/{site}/{incident_id}", summary="One incident: its versions, alerts and evidence")
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
