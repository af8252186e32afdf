"""What Stockade found: ``GET /v1/alerts`` (incidents: :mod:`stockade.api.routers.incidents`).

Alerts have the shape of ``stockade analyze --json`` (:mod:`stockade.incidents.records`)
plus ``site`` and ``log_seq``; a page ends with ``next_cursor`` (null only when
nothing older is left), so a severity filter never cuts a list silently.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, status

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep, StoreDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.api.schemas import AlertPage, Rfc3339
from stockade.events import Alert
from stockade.events.model import SEVERITIES, Severity
from stockade.incidents.records import alert_record
from stockade.node.runtime import Node
from stockade.store import ApiKeyRecord, EventQuery

router = APIRouter(prefix="/v1", tags=["alerts"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
_CHUNK = 1_000
_SCAN_PER_PAGE = 20_000  # rows looked at for one page; a sparse filter answers with a cursor to go on


def one_site(node: Node, key: ApiKeyRecord, site: str | None) -> str:
    """The site a paged list reads: the one asked for (if the key may), else the key's own or the only one."""
    if site is not None:
        check_site(key, site)
        return site
    if key.site is not None:
        return key.site
    if len(node.sites) == 1:
        return next(iter(node.sites))
    raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                        f"say which site: `site` is one of {', '.join(sorted(node.sites))} (a page of one site's "
                        "log at a time keeps its cursor exact)")


@router.get("/alerts", summary="Alerts of a site, newest first, a page at a time",
            responses={200: {"model": AlertPage}, **responses(404, 422)})
def alerts(
    node: NodeDep,
    store: StoreDep,
    key: ReadKey,
    site: Annotated[str | None, Query(description="site id; may be omitted for a key bound to one site, "
                                                  "or on a node with one site")] = None,
    since: Annotated[Rfc3339 | None, Query(description="event time from")] = None,
    min_severity: Annotated[Severity, Query(description="lowest severity to list")] = "info",
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,19}$",
                                        description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONBytes:
    site = one_site(node, key, site)
    floor = SEVERITIES.index(min_severity)
    before: int | None = None
    if cursor is not None:
        if not cursor.isdigit():
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"not a cursor: {cursor!r}")
        before = int(cursor)
    items: list[dict[str, Any]] = []
    scanned = 0
    exhausted = False
    while len(items) < limit and scanned < _SCAN_PER_PAGE:
        rows = store.query(EventQuery(site, since=since, kinds=("alert",), limit=_CHUNK, newest_first=True,
                                      before_seq=before))
        if not rows:
            exhausted = True
            break
        for row in rows:
            scanned += 1
            before = row.seq
            event = row.event
            if isinstance(event, Alert) and SEVERITIES.index(event.severity) >= floor:
                items.append({**msgspec.to_builtins(alert_record(event)), "site": site, "log_seq": row.seq})
                if len(items) == limit:
                    break
        if len(rows) < _CHUNK and len(items) < limit:
            exhausted = True
            break
    next_cursor = None if exhausted or before is None else str(before)
    return json_response({"items": items, "next_cursor": next_cursor})
