"""HTTP app of ``stockade witness``: the C2SP tlog-witness ``POST /add-checkpoint`` endpoint.

The protocol logic (and every status code) lives in :mod:`stockade.ledger.witness`;
this module only moves bytes between HTTP and it.

    >>> app = create_witness_app(witness)                                # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8181)  # doctest: +SKIP
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute

from stockade.api.limits import BodyGuard, body_limit
from stockade.ledger.witness import Witness

MAX_BODY = 128 * 1024  # 63 proof lines and a checkpoint with 16+ post-quantum signatures fit well within


def create_witness_app(witness: Witness) -> FastAPI:
    app = FastAPI(title="Stockade witness", description="C2SP tlog-witness add-checkpoint", docs_url=None,
                  redoc_url=None, openapi_url=None)

    @app.post("/add-checkpoint", openapi_extra=body_limit(MAX_BODY, media_type="text/plain", json=False))
    async def add_checkpoint(request: Request) -> Response:
        body = await request.body()  # BodyGuard has stopped it at MAX_BODY (the protocol is open: no key)
        answer = witness.add_checkpoint(body)
        # set the header directly: Starlette would append "; charset=utf-8" to a text/* media type,
        # and tlog-witness wants exactly "text/x.tlog.size" on a 409
        return Response(answer.body, status_code=answer.status, headers={"content-type": answer.content_type})

    @app.get("/vkey")
    async def vkey() -> Response:
        return Response((witness.vkey + "\n").encode(), media_type="text/plain; charset=utf-8")

    app.add_middleware(BodyGuard, routes=[r for r in app.router.routes if isinstance(r, APIRoute)],
                       authenticate=None)
    return app
