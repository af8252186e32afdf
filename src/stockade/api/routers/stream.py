"""``GET /v1/stream``: server-sent events of what a site's log receives, live.

    curl -N -H "Authorization: Bearer $KEY" "http://127.0.0.1:8700/v1/stream?site=dc-demo&kind=alert"

Each message is ``event: <kind>``, ``id: <site>:<seq>``, ``data: <event JSON>``.
A listener too slow to keep up loses its oldest events rather than slowing ingest,
and is told: ``event: missed`` with ``data: {"kind":"missed","count":N}`` comes
just before the first event after the gap (the events themselves are in the log:
``GET /v1/events?after_seq=…`` from the last id received).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from stockade.api.auth import check_site, require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import EventStream
from stockade.api.schemas import MAX_SEQ
from stockade.node.broadcast import Missed
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1", tags=["stream"])
KEEPALIVE_S = 15.0


@router.get("/stream", summary="Server-sent events of a site's log (filter by kind)", response_class=EventStream)
async def stream(
    node: NodeDep,
    key: Annotated[ApiKeyRecord, Depends(require_scope("read"))],
    site: Annotated[list[str] | None, Query(description="sites to follow; all the key may read when omitted")]
    = None,
    kind: Annotated[list[str] | None, Query(description="kinds to follow; all when omitted")] = None,
    limit: Annotated[int | None, Query(ge=1, le=MAX_SEQ, description="close after this many events")] = None,
) -> StreamingResponse:
    for one in site or ():
        check_site(key, one)
    sites = set(site or ()) or ({key.site} if key.site is not None else set())
    sub = node.broadcast.subscribe(asyncio.get_running_loop(), sites, set(kind or ()))

    async def messages() -> AsyncIterator[bytes]:
        sent = 0
        try:
            yield b": stockade stream\n\n"
            while limit is None or sent < limit:
                try:
                    item = await asyncio.wait_for(sub.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield b": keepalive\n\n"
                    continue
                if isinstance(item, Missed):
                    yield b"event: missed\ndata: %s\n\n" % msgspec.json.encode(item)
                    continue
                seq, event = item
                data = msgspec.json.encode(event)
                yield b"event: %s\nid: %s:%d\ndata: %s\n\n" % (
                    event.kind.encode(), event.site.encode(), seq, data)
                sent += 1
        finally:
            node.broadcast.unsubscribe(sub)

    return StreamingResponse(messages(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
