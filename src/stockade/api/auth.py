"""API-key authentication and scopes.

Send ``Authorization: Bearer stk_<id>_<secret>`` (or ``X-API-Key``). Scopes:
``ingest`` (a device: bound to one site and its sources), ``pep`` (a door
controller asking for decisions), ``read``, ``analyst``, ``admin``,
``auditor``. ``admin`` implies every human scope; ``analyst`` and ``auditor``
imply ``read``. A missing or unknown key is 401; a key without the scope 403,
naming the command that makes a key with it; both bodies say why.

A key bound to a site (``--site``) acts for that site only, whatever its
scope: every route that names a site calls :func:`check_site` (403 for another
site), and routes that span sites keep to the key's (:func:`sites_of`).

    @router.get("/v1/alerts")
    def alerts(key: Annotated[ApiKeyRecord, Depends(require_scope("read"))], site: str) -> ...:
        check_site(key, site)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from starlette.types import Scope

from stockade.api.deps import StoreDep
from stockade.node.keys import matches, parse_token
from stockade.store import ApiKeyRecord, Store

IMPLIED: dict[str, frozenset[str]] = {
    "admin": frozenset({"admin", "analyst", "auditor", "read"}),
    "analyst": frozenset({"analyst", "read"}),
    "auditor": frozenset({"auditor", "read"}),
    "read": frozenset({"read"}),
    "ingest": frozenset({"ingest"}),
    "pep": frozenset({"pep"}),
}

_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_CHECKED = "stockade.key"
"""Where a request's scope state holds the key :class:`stockade.api.limits.BodyGuard` checked before
reading the body, so the route's :func:`authenticate` does not look it up a second time."""


def remember_key(scope: Scope, record: ApiKeyRecord) -> None:
    """Keep the key checked for this request (its own headers) for the route's :func:`authenticate`."""
    scope.setdefault("state", {})[_CHECKED] = record


async def authenticate(
    request: Request,
    store: StoreDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> ApiKeyRecord:
    """The request's key: the one the body gate checked from these headers, else looked up
    (:func:`checked_key`). Every other dependency of a route is a plain coroutine, so a request
    crosses to a worker thread at most twice (the key, where the store may wait, and the route),
    not once per dependency: under load each crossing can wait a GIL switch interval (issue 11.8)."""
    checked = request.scope.get("state", {}).get(_CHECKED)
    if isinstance(checked, ApiKeyRecord):
        return checked
    return await checked_key(store, authorization, x_api_key)


async def checked_key(store: Store, authorization: str | None, x_api_key: str | None) -> ApiKeyRecord:
    """:func:`check_key`, on the event loop when the store reads a key without waiting
    (``keys_without_waiting``), else in a worker thread."""
    if store.keys_without_waiting:
        return check_key(store, authorization, x_api_key)
    return await run_in_threadpool(check_key, store, authorization, x_api_key)


def check_key(store: Store, authorization: str | None, x_api_key: str | None) -> ApiKeyRecord:
    """The key the headers name, or the 401 that says why not."""
    token = x_api_key
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "use 'Authorization: Bearer <key>'", _CHALLENGE)
        token = value.strip()
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "an API key is required", _CHALLENGE)
    parsed = parse_token(token)
    record = store.get_key(parsed[0]) if parsed else None
    if parsed is None or record is None or not matches(record, parsed[1]):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or wrong API key", _CHALLENGE)
    if record.revoked:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"API key {record.key_id} is revoked", _CHALLENGE)
    return record


def granted(record: ApiKeyRecord) -> frozenset[str]:
    out: set[str] = set()
    for scope in record.scopes:
        out |= IMPLIED.get(scope, frozenset())
    return frozenset(out)


def make_key_command(scope: str, site: str | None = None) -> str:
    """The command that makes a key with ``scope`` (for ``site``, when one is known)."""
    where = site or "SITE"
    if scope == "ingest":
        return f"stockade apikey create --scope ingest --site {where} --source SOURCE"
    if scope == "pep":
        return f"stockade apikey create --scope pep --site {where}"
    return f"stockade apikey create --scope {scope}" + (f" --site {site}" if site else "")


def require_scope(scope: str) -> Callable[[ApiKeyRecord], Awaitable[ApiKeyRecord]]:
    async def check(record: Annotated[ApiKeyRecord, Depends(authenticate)]) -> ApiKeyRecord:
        if scope not in granted(record):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"API key {record.key_id} lacks the {scope!r} scope (it has: {', '.join(record.scopes)}); "
                f"make a key with it: `{make_key_command(scope, record.site)}`",
            )
        return record

    return check


def check_site(record: ApiKeyRecord, site: str) -> None:
    """403 unless ``record`` may act for ``site`` (a key bound to a site acts for that one only)."""
    if record.site is not None and record.site != site:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"API key {record.key_id} is bound to site {record.site!r} and may not act for {site!r}; "
            f"use a key for {site!r} (`stockade apikey create --scope ... --site {site}`)",
        )


def sites_of(record: ApiKeyRecord, sites: Iterable[str]) -> list[str]:
    """The sites among ``sites`` that ``record`` may act for."""
    return [s for s in sites if record.site is None or s == record.site]
