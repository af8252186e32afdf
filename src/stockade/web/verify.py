"""The ledger page's "verify" button: the whole log checked through the API, as an auditor would.

The server fetches the site's checkpoint, tiles and entry bundles from
``/v1/ledger/{site}/…`` with the signed-in key, exactly as ``stockade ledger
verify URL --token`` would, and checks them against the site's verifier keys
with :func:`stockade.ledger.verify.verify_log` (every entry re-hashed, every
tile rebuilt, the checkpoint's signatures checked). The page shows the result or
the first problem found.
"""

from __future__ import annotations

import anyio
from anyio.from_thread import BlockingPortal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from stockade.ledger.errors import LedgerError, TileError
from stockade.ledger.verify import verify_log
from stockade.ledger.vkey import parse_vkey
from stockade.web.client import ApiClient, ApiError
from stockade.web.deps import FormSession, WebDep

router = APIRouter(prefix="/ui", include_in_schema=False)


class ApiSource:
    """A :class:`stockade.ledger.source.Source` over the API, read from a worker thread."""

    def __init__(self, api: ApiClient, token: str, site: str, portal: BlockingPortal) -> None:
        self._api, self._token, self._prefix, self._portal = api, token, f"/v1/ledger/{site}/", portal

    def read(self, path: str) -> bytes | None:
        try:
            return self._portal.call(self._api.raw, self._token, self._prefix + path)
        except ApiError as e:
            raise TileError(f"GET {self._prefix + path} answered {e.status}: {e.detail}") from e

    def describe(self, path: str) -> str:
        return self._prefix + path


@router.post("/ledger/{site}/verify", response_class=HTMLResponse)
async def verify(request: Request, web: WebDep, session: FormSession, site: str) -> HTMLResponse:
    layout = await web.api.get(session.token, f"/v1/sites/{site}")
    ledger = layout["ledger"]
    result: dict[str, object]
    try:
        verifiers = [parse_vkey(v) for v in ledger["vkeys"]]
        async with BlockingPortal() as portal:
            source = ApiSource(web.api, session.token, site, portal)
            report = await anyio.to_thread.run_sync(lambda: verify_log(source, verifiers, ledger["origin"]))
        result = {"ok": True, "size": report.size, "root": report.root.hex(), "tiles": report.tiles,
                  "cosigners": report.cosigners}
    except LedgerError as e:
        result = {"ok": False, "problem": str(e)}
    return web.templates.TemplateResponse(request, "_verified.html", {"site": site, "result": result})
