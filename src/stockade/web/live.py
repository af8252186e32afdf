"""Live parts of the pages: alerts pushed as HTML rows over server-sent events.

``GET /ui/stream/alerts?site=`` follows the same committed-event fan-out that
``GET /v1/stream`` serves, for the sites the signed-in key may read, and sends
each alert as a rendered table row (``event: alert``) that htmx's SSE extension
puts at the top of the feed. Each alert is rendered once for every dashboard
watching its site (:class:`stockade.web.render.Rendered`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial

import msgspec
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import StreamingResponse

from stockade.api.deps import NodeDep
from stockade.web.deps import SessionDep, WebDep

router = APIRouter(prefix="/ui", include_in_schema=False)
KEEPALIVE_S = 15.0
COALESCE = 100  # alerts sent in one write at most


@router.get("/stream/alerts")
async def alert_stream(request: Request, node: NodeDep, web: WebDep, session: SessionDep,
                       site: str) -> StreamingResponse:
    me = session.identity
    if not me.may("read") or (me.site is not None and me.site != site) or site not in node.sites:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this key may not read site {site!r}")
    tz = node.sites[site].timezone
    row = web.templates.get_template("_alert_row.html")
    sub = node.broadcast.subscribe(asyncio.get_running_loop(), {site}, {"alert"})

    async def messages() -> AsyncIterator[bytes]:
        try:
            yield b": stockade dashboard\n\n"
            while not await request.is_disconnected():
                try:
                    seq, event = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield b": keepalive\n\n"
                    continue
                items = [(seq, event)]
                while not sub.queue.empty() and len(items) < COALESCE:  # what came together goes in one write
                    items.append(sub.queue.get_nowait())
                yield b"".join(web.rendered.message(site, s, partial(row.render, a=msgspec.to_builtins(e), tz=tz,
                                                                     site=site)) for s, e in items)
        finally:
            node.broadcast.unsubscribe(sub)

    return StreamingResponse(messages(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
