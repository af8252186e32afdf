"""The dashboard's pages, each built from what the API serves to the signed-in key.

    /ui/                      overview: every site, its threat level, open incidents, devices down, people
    /ui/sites/{site}          the site map, live
    /ui/alerts                the alert feed, live, with filters
    /ui/incidents[/{s}/{id}]  incidents; the workspace of one
    /ui/access                denials and step-ups; threat levels and their controls
    /ui/inventory             reconciliation and shrinkage (empty until the inventory API exists)
    /ui/ledger                each site's log, checkpoint and verification
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from stockade.web.client import ApiError
from stockade.web.deps import SessionDep, WebDep
from stockade.web.render import SEVERITY_RANK, worst_threat
from stockade.web.session import Session
from stockade.web.sitemap import site_map

router = APIRouter(prefix="/ui", include_in_schema=False)
OPEN_STATUSES = ("new", "acknowledged", "contained")
SPARK_HOURS = 24


def _page(web: WebDep, request: Request, session: Session, name: str, **context: Any) -> HTMLResponse:
    return web.templates.TemplateResponse(
        request, name, {"me": session.identity, "csrf": session.csrf, "page": name.removesuffix(".html"),
                        **context})


async def _site_overview(web: WebDep, token: str, site: dict[str, Any]) -> dict[str, Any]:
    sid = site["site"]
    threat, incidents, live = await asyncio.gather(
        web.api.get(token, f"/v1/access/threat-levels/{sid}"),
        web.api.get(token, "/v1/incidents", site=sid),
        web.api.get(token, f"/v1/sites/{sid}/live"),
    )
    levels = {"*": threat["level"], **threat["zones"]}
    open_incidents = [i for i in incidents["items"] if i.get("status") in OPEN_STATUSES]
    by_severity = Counter(i["severity"] for i in open_incidents)
    since = (datetime.fromisoformat(live["at"]) - timedelta(hours=SPARK_HOURS)) if live["at"] else None
    alerts = await web.api.get(token, "/v1/alerts", site=sid, since=since.isoformat() if since else None,
                               limit=1000)
    return {"site": site, "threat": worst_threat(levels), "levels": levels, "live": live,
            "open": sorted(open_incidents, key=lambda i: -SEVERITY_RANK[i["severity"]]),
            "by_severity": by_severity, "spark": sparkline([a["ts"] for a in alerts["items"]], since)}


def sparkline(times: list[str], since: datetime | None, hours: int = SPARK_HOURS) -> list[int]:
    """Alerts per hour over the last ``hours`` hours of event time, oldest first."""
    buckets = [0] * hours
    if since is None:
        return buckets
    for ts in times:
        hour = int((datetime.fromisoformat(ts) - since).total_seconds() // 3600)
        if 0 <= hour < hours:
            buckets[hour] += 1
    return buckets


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, web: WebDep, session: SessionDep) -> HTMLResponse:
    sites = (await web.api.get(session.token, "/v1/sites"))["items"]
    rows = await asyncio.gather(*(_site_overview(web, session.token, s) for s in sites))
    worst = worst_threat({r["site"]["site"]: r["threat"] for r in rows})
    return _page(web, request, session, "overview.html", rows=rows, threat=worst)


@router.get("/sites/{site}", response_class=HTMLResponse)
async def site_page(request: Request, web: WebDep, session: SessionDep, site: str) -> HTMLResponse:
    return _page(web, request, session, "site.html", site=site, **await _map(web, session, site))


@router.get("/sites/{site}/map", response_class=HTMLResponse)
async def site_map_fragment(request: Request, web: WebDep, session: SessionDep, site: str) -> HTMLResponse:
    return _page(web, request, session, "_map.html", site=site, **await _map(web, session, site))


async def _map(web: WebDep, session: Session, site: str) -> dict[str, Any]:
    answers = await asyncio.gather(
        web.api.get(session.token, f"/v1/sites/{site}"),
        web.api.get(session.token, f"/v1/sites/{site}/live"),
        web.api.get(session.token, f"/v1/access/threat-levels/{site}"),
        return_exceptions=True,
    )
    found: list[Any] = []
    for answer in answers:  # the first refusal in this order, not whichever came back first (404 before 403)
        if isinstance(answer, BaseException):
            raise answer
        found.append(answer)
    layout, live, threat = found
    levels = {"*": threat["level"], **threat["zones"]}
    return {"layout": layout, "live": live, "map": site_map(layout, live, levels), "threat": worst_threat(levels)}


async def _sites(web: WebDep, session: Session) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await web.api.get(session.token, "/v1/sites"))["items"]
    return items


def _chosen(sites: list[dict[str, Any]], site: str | None) -> dict[str, Any] | None:
    return next((s for s in sites if s["site"] == site), sites[0] if sites else None)


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(request: Request, web: WebDep, session: SessionDep, site: str | None = None,
                      severity: str = "info", detector: str = "", zone: str = "", person: str = "") -> HTMLResponse:
    sites = await _sites(web, session)
    chosen = _chosen(sites, site)
    items: list[dict[str, Any]] = []
    if chosen is not None:
        got = await web.api.get(session.token, "/v1/alerts", site=chosen["site"], min_severity=severity, limit=200)
        items = [a for a in got["items"] if matches(a, detector, zone, person)]
    filters = {"severity": severity, "detector": detector, "zone": zone, "person": person}
    return _page(web, request, session, "alerts.html", sites=sites, chosen=chosen, alerts=items, filters=filters)


def matches(alert: dict[str, Any], detector: str, zone: str, person: str) -> bool:
    """The feed's filters: a detector id prefix, a zone, a person named by the alert."""
    entities = alert.get("entities", {})
    return ((not detector or alert["detector"].startswith(detector))
            and (not zone or zone in entities.get("zones", ()))
            and (not person or person in entities.get("people", ())))


@router.get("/incidents", response_class=HTMLResponse)
async def incidents_page(request: Request, web: WebDep, session: SessionDep, site: str | None = None,
                         status: str = "") -> HTMLResponse:
    sites = await _sites(web, session)
    chosen = _chosen(sites, site)
    items: list[dict[str, Any]] = []
    if chosen is not None:
        items = (await web.api.get(session.token, "/v1/incidents", site=chosen["site"], status=status))["items"]
    return _page(web, request, session, "incidents.html", sites=sites, chosen=chosen, incidents=items,
                 status=status)


@router.get("/incidents/{site}/{incident_id}", response_class=HTMLResponse)
async def incident_page(request: Request, web: WebDep, session: SessionDep, site: str, incident_id: str,
                        error: str = "") -> HTMLResponse:
    sites = await _sites(web, session)
    chosen = _chosen(sites, site)
    body = await web.api.get(session.token, f"/v1/incidents/{site}/{incident_id}")
    incident = body
    people = list(incident.get("entities", {}).get("people", ()))
    risk: dict[str, float] = {}
    if people:
        scores = await web.api.get(session.token, f"/v1/risk/{site}", type="person", n=1000)
        risk = {s["id"]: s["score"] for s in scores["scores"].get("person", ()) if s["id"] in people}
    return _page(web, request, session, "incident.html", chosen=chosen, site=site, incident=incident, body=body,
                 risk=risk, error=error)


@router.get("/access", response_class=HTMLResponse)
async def access_page(request: Request, web: WebDep, session: SessionDep, site: str | None = None,
                      error: str = "") -> HTMLResponse:
    sites = await _sites(web, session)
    chosen = _chosen(sites, site)
    context: dict[str, Any] = {"sites": sites, "chosen": chosen, "error": error}
    if chosen is not None:
        sid = chosen["site"]
        denied, stepped, threat, layout, admin = await asyncio.gather(
            web.api.get(session.token, "/v1/access/decisions", site=sid, result="deny", limit=50),
            web.api.get(session.token, "/v1/access/decisions", site=sid, result="step_up", limit=50),
            web.api.get(session.token, f"/v1/access/threat-levels/{sid}"),
            web.api.get(session.token, f"/v1/sites/{sid}"),
            web.api.get(session.token, "/v1/events", site=sid, kind="admin", limit=500, order="newest"),
        )
        history = [e["event"] for e in admin["items"]
                   if e["event"]["action"] in ("set_threat_level", "clear_threat_level")]
        context |= {"denied": [d["event"] for d in denied["items"]], "stepped": [d["event"] for d in stepped["items"]],
                    "threat": threat, "zones": layout["zones"], "history": history}
    return _page(web, request, session, "access.html", **context)


@router.get("/inventory", response_class=HTMLResponse)
async def inventory_page(request: Request, web: WebDep, session: SessionDep, site: str | None = None) -> HTMLResponse:
    sites = await _sites(web, session)
    chosen = _chosen(sites, site)
    reconciliation: Any = None
    if chosen is not None:
        try:
            reconciliation = await web.api.get(session.token, f"/v1/inventory/{chosen['site']}/reconciliation")
        except ApiError as e:
            if e.status != 404:
                raise
    return _page(web, request, session, "inventory.html", sites=sites, chosen=chosen, reconciliation=reconciliation)


@router.get("/ledger", response_class=HTMLResponse)
async def ledger_page(request: Request, web: WebDep, session: SessionDep) -> HTMLResponse:
    sites = await _sites(web, session)
    layouts = await asyncio.gather(*(web.api.get(session.token, f"/v1/sites/{s['site']}") for s in sites))
    notes = await asyncio.gather(*(web.api.text(session.token, f"/v1/ledger/{s['site']}/checkpoint") for s in sites))
    rows = [{"site": s, "ledger": lay["ledger"], "checkpoint": note, "cosigners": cosigners(note)}
            for s, lay, note in zip(sites, layouts, notes, strict=True)]
    return _page(web, request, session, "ledger.html", rows=rows)


def cosigners(note: str | None) -> list[str]:
    """The names on a signed note's signature lines (the log's own key and each witness)."""
    if not note or "\n\n" not in note:
        return []
    return [line.split(" ")[1] for line in note.split("\n\n", 1)[1].splitlines() if line.startswith("— ")]
