"""Request bodies: the key first, then at most the route's limit, then strict JSON; one gate for every route.

:class:`BodyGuard` is a pure ASGI middleware that stands in front of every
route, so no route can read a body the wrong way round. For a request that
carries a body it

1. answers **413** when the declared ``Content-Length`` is over the route's limit;
2. answers **401** when the key does not authenticate (the check
   :func:`stockade.api.auth.authenticate` makes), before one byte of the body
   is read: an unauthenticated caller cannot make the node hold its body;
3. reads the body, and answers **413** as soon as the bytes pass the limit
   (a chunked body has no declared length);
4. for a JSON route, answers **415** unless the body is sent as JSON, and
   **422** naming the field when :func:`stockade.api.json_screen.screen`
   refuses it (``NaN``, ``1e999``, out-of-range integers, lone surrogates,
   duplicate keys, nesting past the route's depth);
5. hands the body it read to the route.

Each 413 body names the limit. A route declares its limit in its decorator;
without one, ``GET``/``HEAD``/``DELETE``/``OPTIONS`` take no body at all and other
methods at most :data:`DEFAULT_LIMIT` bytes of JSON. A new router declares
its own, for example for 8 MiB EPCIS documents::

    @router.post("/v1/epcis/capture", openapi_extra=body_limit(8 * MiB, media_type="application/ld+json"))

``body_limit(NODE_LIMIT, ...)`` means the node's ``max_body_bytes`` setting.
The limit is also published in the OpenAPI document (``x-body-limit``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockade.api.json_screen import MAX_DEPTH, screen

KiB: Final = 1024
MiB: Final = 1024 * KiB
DEFAULT_LIMIT: Final = 64 * KiB
NODE_LIMIT: Final = "node"
"""Stands for the node's ``max_body_bytes`` setting (bulk ingest)."""
LIMIT_KEY: Final = "x-body-limit"
RULE_KEY: Final = "x-stockade-body"
_BODYLESS: Final = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})

Authenticator = Callable[[Scope], Awaitable["Refused | None"]]
"""Checks a request's key from its headers alone (it may keep the key in the scope's state for the
route); a :class:`Refused` (a 401) when it fails."""


@dataclass(frozen=True)
class Refused:
    status: int
    detail: object
    headers: dict[str, str] | None = None


def body_limit(limit: int | str, *, media_type: str = "application/json", max_depth: int = MAX_DEPTH,
               json: bool = True) -> dict[str, Any]:
    """A route's body rule, for its decorator's ``openapi_extra`` (``json=False``: not screened as JSON)."""
    if isinstance(limit, int) and limit < 0:
        raise ValueError("a body limit is a number of bytes >= 0")
    return {LIMIT_KEY: limit, RULE_KEY: {"media_type": media_type, "max_depth": max_depth, "json": json}}


@dataclass(frozen=True)
class Rule:
    limit: int
    json: bool
    max_depth: int
    media_type: str


def rule_of(route: BaseRoute | None, method: str, node_limit: int) -> Rule:
    """The body rule a route declared, or the default for its method."""
    extra: dict[str, Any] = getattr(route, "openapi_extra", None) or {}
    if LIMIT_KEY not in extra:
        return Rule(0 if method in _BODYLESS else DEFAULT_LIMIT, True, MAX_DEPTH, "application/json")
    limit = extra[LIMIT_KEY]
    spec = extra[RULE_KEY]
    return Rule(node_limit if limit == NODE_LIMIT else int(limit), bool(spec["json"]), int(spec["max_depth"]),
                str(spec["media_type"]))


def _json_media(content_type: str | None) -> bool:
    if content_type is None:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class BodyGuard:
    """See the module docstring. ``authenticate=None`` for an app whose routes are all open."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute], authenticate: Authenticator | None,
                 node_limit: int = DEFAULT_LIMIT, session_prefixes: Sequence[str] = ()) -> None:
        self.app = app
        self.routes = routes
        self.authenticate = authenticate
        self.node_limit = node_limit
        # paths whose layer authenticates by a session of its own (the dashboard's forms, CSRF-checked):
        # their bodies are held to the default limit, with no API key and no JSON screen
        self.session_prefixes = tuple(session_prefixes)

    def _route(self, scope: Scope) -> BaseRoute | None:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if not chunked and (length is None or length.strip() == "0"):
            await self.app(scope, receive, send)  # no body: nothing to guard
            return
        if self.session_prefixes and scope["path"].startswith(self.session_prefixes):
            await self._session_form(scope, receive, send, length)
            return
        rule = rule_of(self._route(scope), scope["method"], self.node_limit)
        declared = int(length) if length is not None and length.strip().isdigit() else None
        if declared is not None and declared > rule.limit:
            await _answer(send, Refused(413, _too_large(rule.limit, declared)))
            return
        if self.authenticate is not None:
            problem = await self.authenticate(scope)
            if problem is not None:
                await _answer(send, problem)
                return
        body = await _read(receive, rule.limit)
        if body is None:
            await _answer(send, Refused(413, _too_large(rule.limit, None)))
            return
        if rule.json and body:
            if not _json_media(headers.get("content-type")):
                await _answer(send, Refused(415, f"send the body as JSON (Content-Type: {rule.media_type})"))
                return
            refusal = screen(body, rule.max_depth)
            if refusal is not None:
                await _answer(send, Refused(422, refusal.detail()))
                return
        await self.app(scope, _replay(body, receive), send)

    async def _session_form(self, scope: Scope, receive: Receive, send: Send, length: str | None) -> None:
        declared = int(length) if length is not None and length.strip().isdigit() else None
        if declared is not None and declared > DEFAULT_LIMIT:
            await _answer(send, Refused(413, _too_large(DEFAULT_LIMIT, declared)))
            return
        body = await _read(receive, DEFAULT_LIMIT)
        if body is None:
            await _answer(send, Refused(413, _too_large(DEFAULT_LIMIT, None)))
            return
        await self.app(scope, _replay(body, receive), send)


def _too_large(limit: int, declared: int | None) -> str:
    if limit == 0:
        return "this route takes no request body"
    size = f"body of {declared} bytes" if declared is not None else "body"
    return f"{size} is over this route's limit of {limit} bytes"


async def _read(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or ``None`` as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client went away; the route sees what came
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _answer(send: Send, problem: Refused) -> None:
    payload = msgspec.json.encode({"detail": problem.detail})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
               (b"connection", b"close")]
    headers += [(k.lower().encode(), v.encode()) for k, v in (problem.headers or {}).items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
