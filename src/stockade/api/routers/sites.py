"""The sites a key may read: their layout and their live picture; and who the key is.

    curl -H "Authorization: Bearer $KEY" http://127.0.0.1:8700/v1/sites
    curl -H "Authorization: Bearer $KEY" http://127.0.0.1:8700/v1/sites/dc-demo/live

``GET /v1/sites/{site}`` gives the layout the site file declares (zones, doors,
readers, cameras, sensors, gates; no people: the site file's staff list stays on
the server) and its ledger (origin, size, the verifier keys of its checkpoints,
the latest checkpoint's tree size and when it was signed);
``…/live`` gives who is where, door states, armed panels and the devices that
are down, at the site's event time; ``GET /v1/keys/me`` tells a client (the
dashboard) what the key it holds may do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, status

from stockade.api.auth import authenticate, granted, require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.node.runtime import Node
from stockade.site import SiteConfig
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1", tags=["sites"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
NOT_FOUND = responses(404, e404="no such site, or not one this key may read")


def readable_sites(node: Node, key: ApiKeyRecord) -> list[str]:
    """The sites a key may read: its own site when it is bound to one, else every site."""
    return sorted(s for s in node.sites if key.site is None or key.site == s)


def _site(node: Node, key: ApiKeyRecord, site: str) -> SiteConfig:
    if site not in readable_sites(node, key):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no site {site!r} that this key may read")
    return node.sites[site]


def _summary(site: SiteConfig) -> dict[str, Any]:
    return {"site": site.site, "name": site.name, "timezone": site.timezone}


@router.get("/sites", summary="The sites this key may read")
def sites(node: NodeDep, key: ReadKey) -> JSONBytes:
    return json_response({"items": [_summary(node.sites[s]) for s in readable_sites(node, key)]})


@router.get("/sites/{site}", summary="A site's layout: zones, doors, readers, cameras, sensors, gates",
            responses=NOT_FOUND)
def site_layout(node: NodeDep, key: ReadKey, site: str) -> JSONBytes:
    config = _site(node, key, site)
    layout = config.model_dump(include={"zones", "doors", "readers", "cameras", "sensors", "gates"}, mode="json")
    log = node.ledgers.logs.get(site)
    ledger = None if log is None else {
        "origin": log.origin, "size": log.size, "vkeys": node.ledgers.keys.vkeys(log.origin),
        **_checkpoint(log.directory / "checkpoint")}
    return json_response(_summary(config) | layout | {"ledger": ledger})


def _checkpoint(path: Path) -> dict[str, Any]:
    """The latest checkpoint's tree size and when it was signed (the file's time; None before the first)."""
    try:
        note = path.read_bytes()
        signed = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        return {"checkpoint_size": None, "checkpoint_at": None}
    lines = note.split(b"\n", 2)
    size = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else None
    return {"checkpoint_size": size, "checkpoint_at": signed.isoformat()}


@router.get("/sites/{site}/live", summary="Who is where, door states, armed zones and devices down, now",
            responses=NOT_FOUND)
def site_live(node: NodeDep, key: ReadKey, site: str) -> JSONBytes:
    _site(node, key, site)
    return json_response(msgspec.to_builtins(node.live.picture(site)))


@router.get("/keys/me", summary="The key this request holds: its id, scopes (with what they imply) and binding")
def whoami(key: Annotated[ApiKeyRecord, Depends(authenticate)]) -> JSONBytes:
    return json_response({
        "key_id": key.key_id, "label": key.label, "scopes": list(key.scopes),
        "grants": sorted(granted(key)), "site": key.site, "sources": list(key.sources), "roles": list(key.roles),
    })
