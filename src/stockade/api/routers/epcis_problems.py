"""EPCIS problems: RFC 7807 ``application/problem+json`` answers with the EPCIS exception types, for
errors raised under ``/v1/epcis`` (:class:`EpcisProblem`) and for refusals made before a route (the body
guard's, FastAPI's parameter checks; :class:`EpcisRefusals`), and their OpenAPI description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from fastapi import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockade.inventory.epcis.capture import CAPTURE_LIMIT, IMPLEMENTATION, NO_SUCH, SECURITY, VALIDATION

PROBLEM = "application/problem+json"


class EpcisProblem(Exception):
    """Raised anywhere under /v1/epcis; answered as an RFC 7807 problem."""

    def __init__(self, code: int, type_: str, detail: str, *, headers: dict[str, str] | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.code, self.type, self.detail, self.headers, self.errors = code, type_, detail, headers or {}, errors


def problem_response(code: int, type_: str, detail: str, *, headers: dict[str, str] | None = None,
                     errors: list[dict[str, Any]] | None = None, instance: str | None = None) -> Response:
    body: dict[str, Any] = {"type": type_, "title": type_.split(":")[-1], "status": code, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return Response(msgspec.json.encode(body), status_code=code, media_type=PROBLEM, headers=headers)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title"], "description": "RFC 7807, with the EPCIS exception type",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"},
                   "errors": {"type": "array", "items": {"type": "object"}}}}
WHY = {400: "the document or a parameter is refused (ValidationException, QueryParameterException)",
       401: "no key, or a wrong one (SecurityException)", 403: "the key may not do this (SecurityException)",
       404: "no such capture job or site (NoSuchResourceException)",
       409: "the event was captured before (ResourceAlreadyExistsException)",
       413: "over a capture limit (CaptureLimitExceededException), with the limit headers",
       415: "send application/json or application/ld+json", 422: "the body is not strict JSON, or a parameter "
       "is out of range (ValidationException)", 500: "the capture failed (ImplementationException)"}


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these EPCIS problems."""
    return {code: {"description": WHY[code], "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}} for code in codes}


_TYPES = {401: SECURITY, 403: SECURITY, 404: NO_SUCH, 413: CAPTURE_LIMIT, 415: VALIDATION, 422: VALIDATION}


class EpcisRefusals:
    """Under /v1/epcis, a refusal made before the route (the body guard's 401/413/415/422, FastAPI's
    parameter checks) is answered as an EPCIS problem too; a 413 carries the capture limit headers."""

    def __init__(self, app: ASGIApp, *, limits: Callable[[], dict[str, str]]) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/v1/epcis"):
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}

        async def relay(message: Message) -> None:
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] >= 400 and ctype.startswith(b"application/json"):
                    held["start"] = message
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                held["body"] = held.get("body", b"") + message.get("body", b"")
                if message.get("more_body", False):
                    return
                await self._problem(held["start"], held["body"], str(scope.get("path", "")), send)
                return
            await send(message)

        await self.app(scope, receive, relay)

    async def _problem(self, start: Message, body: bytes, path: str, send: Send) -> None:
        code = int(start["status"])
        try:
            detail: Any = msgspec.json.decode(body).get("detail", "")
        except (msgspec.DecodeError, AttributeError):
            detail = ""
        text = detail if isinstance(detail, str) else "; ".join(
            f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}" for d in detail
            if isinstance(d, dict)) if isinstance(detail, list) else str(detail)
        headers = {k.decode(): v.decode() for k, v in start.get("headers", [])
                   if k.lower() not in (b"content-type", b"content-length")}
        if code == 413:
            headers |= self.limits()
        response = problem_response(code, _TYPES.get(code, VALIDATION if code < 500 else IMPLEMENTATION),
                                    text or f"HTTP {code}", headers=headers, instance=path)
        await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
