"""The dashboard reads and acts only through the API, in process, with the signed-in key.

Every page asks ``/v1/…`` of the same app through an in-process ASGI transport
(no socket, no second server), as the session's key: what the page shows and
what a form may change are exactly what that key may read and do, checked by the
API's own authentication, scopes and site binding. The web layer holds no rule
of its own about who may do what.

    >>> api = ApiClient(app)                                         # doctest: +SKIP
    >>> incidents = await api.get(token, "/v1/incidents", site="dc-demo")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

INTERNAL = "http://stockade.internal"


class ApiError(Exception):
    """The API refused or failed; ``detail`` is its own explanation, shown to the user as is."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class ApiClient:
    def __init__(self, app: FastAPI) -> None:
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL)

    async def get(self, token: str, path: str, **params: Any) -> Any:
        return await self.request(token, "GET", path, params=params)

    async def text(self, token: str, path: str) -> str | None:
        """A text resource (a checkpoint note), or None when the API has none (404)."""
        raw = await self.raw(token, path)
        return None if raw is None else raw.decode("utf-8", "replace")

    async def raw(self, token: str, path: str) -> bytes | None:
        """A resource's bytes (a tile, a bundle), or None when the API has none (404)."""
        response = await self._client.get(path, headers=_auth(token))
        if response.status_code == 404:
            return None
        _raise_for(response)
        return response.content

    async def request(self, token: str, method: str, path: str, *, params: dict[str, Any] | None = None,
                      json: Any = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        response = await self._client.request(method, path, params=clean, json=json, headers=_auth(token))
        _raise_for(response)
        if not response.content:
            return None
        return response.json()

    async def close(self) -> None:
        await self._client.aclose()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
        detail = body.get("detail", body) if isinstance(body, dict) else body
    except ValueError:
        detail = response.text
    raise ApiError(response.status_code, detail if isinstance(detail, str) else str(detail))
