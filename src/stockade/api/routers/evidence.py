"""An incident's evidence bundles over HTTP (``read`` scope): listed with their verification, downloaded.

    GET /v1/incidents/{site}/{id}/evidence          each bundle the capture_evidence step wrote, checked now
    GET /v1/incidents/{site}/{id}/evidence/{name}   the bundle's bytes (``stockade evidence verify`` checks it)

A bundle is checked as an auditor would (:func:`stockade.response.evidence.verify_bundle`: the
checkpoint's signatures with the site's verifier keys, every entry's inclusion proof, the custody
record): ``verified`` says so, or ``problem`` names what failed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.node.runtime import Node
from stockade.response.evidence import EvidenceError, verify_bundle
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,300}\.evidence\.json$")


def _bundles(node: Node, key: ApiKeyRecord, site: str, incident_id: str) -> list[Path]:
    check_site(key, site)
    if site not in node.sites or node.store.get_incident(site, incident_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no incident {incident_id!r} in site {site!r}")
    folder = node.evidence.out_dir / site
    prefix = f"{incident_id}."
    return sorted(p for p in folder.glob("*.evidence.json") if p.name.startswith(prefix)) if folder.is_dir() else []


def _checked(node: Node, site: str, path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    out: dict[str, Any] = {"name": path.name, "bytes": len(data)}
    try:
        v = verify_bundle(data, node.ledgers.verifiers(site))
    except EvidenceError as e:
        return out | {"verified": False, "problem": str(e)}
    return out | {"verified": True, "problem": None, "events": v.events, "clips": v.clips,
                  "checkpoint_size": v.checkpoint.size, "exported_by": v.exported_by}


@router.get("/{site}/{incident_id}/evidence", summary="An incident's evidence bundles, each verified now",
            responses=responses(403, 404))
async def list_evidence(node: NodeDep, key: ReadKey, site: str, incident_id: str) -> JSONBytes:
    def run() -> list[dict[str, Any]]:
        return [_checked(node, site, p) for p in _bundles(node, key, site, incident_id)]
    return json_response({"items": await run_in_threadpool(run)})


@router.get("/{site}/{incident_id}/evidence/{name}", summary="Download one evidence bundle",
            responses={200: {"content": {"application/json": {}}}, **responses(403, 404)},
            response_class=Response)
async def get_evidence(node: NodeDep, key: ReadKey, site: str, incident_id: str, name: str) -> Response:
    if not _NAME.match(name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no evidence bundle {name!r}")
    found = [p for p in await run_in_threadpool(_bundles, node, key, site, incident_id) if p.name == name]
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no evidence bundle {name!r} for incident {incident_id!r}")
    return Response(await run_in_threadpool(found[0].read_bytes), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
