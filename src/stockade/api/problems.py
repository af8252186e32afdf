"""The error answers of the API: one body shape, documented once, never a 500 for bad input.

Every error is ``{"detail": ...}``: a sentence for 401, 403, 404, 409, 413
and 415; for 422 either a sentence or FastAPI's list of
``{"type", "loc", "msg"}`` items, ``loc`` naming the parameter or field
(``["query", "after_seq"]``, ``["body", "factors", 0, "score"]``).

Routes list the statuses they answer with :func:`responses`:

    @router.get("/v1/events/{site}/{event_id}", responses=responses(404))
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

WHY: dict[int, str] = {
    400: "the body cannot be read as a whole",
    401: "no API key, an unknown or wrong one, or a revoked one",
    403: "the key lacks the scope (or the site) this needs; the body says which",
    404: "no such site, event, incident or ledger file",
    409: "the state does not allow it yet; the body says when to retry",
    413: "the request body is over this route's limit; the body names the limit",
    415: "the body is not sent with the content type this route reads",
    422: "a parameter or field is invalid; `loc` names it",
    503: "the node is not ready (see the body)",
}


class ValidationItem(BaseModel):
    type: str = Field(description="kind of error, e.g. missing, float_type, json_invalid")
    loc: list[str | int] = Field(description='where: ["query", "after_seq"], ["body", "factors", 0, "score"]')
    msg: str = Field(description="what is wrong, in a sentence")


class ChangeRefused(BaseModel):
    """An incident change the lifecycle refuses: why, and (for an impossible transition) the moves allowed."""

    reason: str
    allowed: list[str] | None = None


class Problem(BaseModel):
    """The body of every error answer."""

    detail: str | list[ValidationItem] | ChangeRefused = Field(
        description="what is wrong and, where it helps, what to do")


def responses(*codes: int, **why: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each with the :class:`Problem` body.

    ``why`` overrides a description: ``responses(404, e404="no ledger for the site")``.
    """
    return {code: {"model": Problem, "description": why.get(f"e{code}", WHY[code])} for code in codes}


async def validation_failed(request: Request, exc: Exception) -> JSONResponse:
    """422 without echoing the input (an echoed ``NaN`` or lone surrogate cannot be written as JSON)."""
    if not isinstance(exc, RequestValidationError):  # registered for RequestValidationError only
        raise TypeError(f"validation_failed got {type(exc).__name__}") from exc
    items = [{"type": str(e.get("type", "value_error")), "loc": [p if isinstance(p, int) else str(p)
                                                                 for p in e.get("loc", ())],
              "msg": str(e.get("msg", "invalid"))} for e in exc.errors()]
    return JSONResponse({"detail": items}, status_code=422)


async def bus_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A cluster API node whose NATS JetStream did not acknowledge: nothing was accepted, retry."""
    return JSONResponse({"detail": f"the cluster's bus did not acknowledge, nothing was accepted; retry shortly "
                                   f"(on this or another API node): {exc}"},
                        status_code=503, headers={"Retry-After": "2"})
