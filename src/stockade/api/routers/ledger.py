"""The ledger over HTTP: a site's log at the C2SP tlog-tiles paths, and proofs.

    GET /v1/ledger/{site}/checkpoint                  signed note (tlog-checkpoint)
    GET /v1/ledger/{site}/tile/<L>/<N>[.p/<W>]        hash tiles
    GET /v1/ledger/{site}/tile/entries/<N>[.p/<W>]    entry bundles
    GET /v1/ledger/{site}/proof/{event_id}            a C2SP tlog-proof for one event
    GET /v1/ledger/{site}/consistency?old=&new=       RFC 9162 consistency proof (base64 lines)

Any tlog-tiles client can mirror a site with a ``read`` or ``auditor`` key (send
it as a bearer token). Full tiles and bundles never change, so they are served
``immutable``; the checkpoint and partial tiles must be re-fetched.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from fastapi.concurrency import run_in_threadpool

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import OctetStream, PlainText
from stockade.api.problems import responses
from stockade.api.schemas import MAX_SEQ
from stockade.ledger.errors import LedgerError, SigningHeldError
from stockade.ledger.log import SiteLog
from stockade.ledger.proofs import make_proof
from stockade.ledger.tiles import parse_path
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])
ReadKey = Annotated[ApiKeyRecord, Depends(require_scope("read"))]
IMMUTABLE = "public, max-age=31536000, immutable"
TEXT = "text/plain; charset=utf-8"


def _log(node: NodeDep, key: ApiKeyRecord, site: str) -> SiteLog:
    check_site(key, site)
    log = node.ledgers.logs.get(site)
    if log is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no ledger for site {site!r}")
    return log


@router.get("/{site}/checkpoint", summary="The latest signed checkpoint (C2SP tlog-checkpoint)",
            response_class=PlainText, responses=responses(404))
def checkpoint(node: NodeDep, key: ReadKey, site: str) -> Response:
    log = _log(node, key, site)
    note = log.latest_checkpoint() or log.checkpoint()
    return Response(note, media_type=TEXT, headers={"Cache-Control": "no-cache"})


@router.get("/{site}/tile/{path:path}", summary="A hash tile or entry bundle (C2SP tlog-tiles)",
            response_class=OctetStream, responses=responses(404))
def tile(node: NodeDep, key: ReadKey, site: str, path: str) -> Response:
    log = _log(node, key, site)
    try:
        ref = parse_path(f"tile/{path}")
    except LedgerError as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e
    data = log.files.read(ref.path)
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{ref.path} is not in the {site} log (yet)")
    cache = IMMUTABLE if ref.full else "no-cache"
    return Response(data, media_type="application/octet-stream", headers={"Cache-Control": cache})


@router.get("/{site}/proof/{event_id}", summary="Inclusion proof of one event, as a C2SP tlog-proof file",
            response_class=PlainText, responses=responses(404, 409))
async def proof(node: NodeDep, key: ReadKey, site: str, event_id: str) -> Response:
    log = _log(node, key, site)
    row = node.store.get(site, event_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event {event_id!r} in site {site!r}")
    if row.seq > log.size:
        raise HTTPException(status.HTTP_409_CONFLICT, "the event is not in the log yet; retry in a second")
    try:
        made = await run_in_threadpool(make_proof, log, row.seq - 1)
    except SigningHeldError as e:  # the node is still checking its store since it started
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(e), headers={"Retry-After": "5"}) from e
    except LedgerError as e:  # a damaged log: never serve a proof that fails its own check
        await run_in_threadpool(node.ledgers.fail, site, "proof", str(e))
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, f"no proof served: {e}") from e
    return Response(made.encode(), media_type=TEXT)


@router.get("/{site}/consistency", summary="RFC 9162 consistency proof between two tree sizes",
            response_class=PlainText, responses=responses(404))
def consistency(
    node: NodeDep, key: ReadKey, site: str,
    old: Annotated[int, Query(ge=1, le=MAX_SEQ,
                              description="the older tree size (RFC 9162 defines no proof from the empty tree)")],
    new: Annotated[int | None, Query(ge=1, le=MAX_SEQ,
                                     description="the newer tree size; default the log's size")] = None,
) -> Response:
    log = _log(node, key, site)
    size = log.size if new is None else new
    if old > size or size > log.size:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"need 1 <= old <= new <= {log.size} (the log's size)")
    hashes = log.consistency_proof(old, size)
    return Response("".join(base64.b64encode(h).decode() + "\n" for h in hashes), media_type=TEXT)
