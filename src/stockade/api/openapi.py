"""The OpenAPI document, made to tell the truth about every route.

FastAPI writes the paths, parameters, bodies and the responses routes
declare. This module adds what it cannot see:

- the two ways to send a key (``bearer``, ``X-API-Key``) as security schemes,
  required on every route that authenticates (the Authorize button of ``/docs``);
- on every route: 413 (the body limit :mod:`stockade.api.limits` enforces, also
  as ``x-body-limit`` in bytes); on a route that authenticates: 401 and 403;
  on a route with parameters or a body: 422; on a route that reads JSON: 415;
  all with the one error body of :mod:`stockade.api.problems`;
- the SEF/1 event types (from the msgspec structs) under ``components/schemas``,
  referred to as ``#/components/schemas/Event``.

    >>> app.openapi = lambda: document(app, routes, node_limit=16 * MiB)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from stockade.api.auth import authenticate
from stockade.api.limits import LIMIT_KEY, RULE_KEY, rule_of
from stockade.api.problems import WHY
from stockade.events.model import Event

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKey": []}]
SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "stk_<id>_<secret>",
               "description": "an API key from `stockade keys create`; its scopes decide what it may do"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "the same key, another header"},
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def authenticates(route: APIRoute) -> bool:
    """Whether the route needs a key (one of its dependencies, at any depth, is :func:`authenticate`)."""

    def needs(dependant: Dependant) -> bool:
        return any(d.call is authenticate or needs(d) for d in dependant.dependencies)

    return needs(route.dependant)


def _problem(code: int, description: str | None = None) -> dict[str, Any]:
    return {"description": description or WHY[code], "content": {"application/json": {"schema": PROBLEM_REF}}}


def _event_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    (event,), components = msgspec.json.schema_components([Event], ref_template="#/components/schemas/{name}")
    return event, components


def document(app: FastAPI, routes: Sequence[APIRoute], node_limit: int) -> dict[str, Any]:
    """The app's OpenAPI document (cached on the app by FastAPI's convention, ``app.openapi_schema``)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    event, event_components = _event_schemas()
    clash = set(event_components) & set(schemas)
    if clash:
        raise RuntimeError(f"event schema names clash with API models: {sorted(clash)}")
    schemas.update(event_components)
    schemas["Event"] = event
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = SCHEMES
    for route in routes:
        if not route.include_in_schema:
            continue
        for method in route.methods or ():
            op = schema["paths"][route.path_format][method.lower()]
            _complete(op, route, method, node_limit)
    app.openapi_schema = schema
    return schema


def _complete(op: dict[str, Any], route: APIRoute, method: str, node_limit: int) -> None:
    rule = rule_of(route, method, node_limit)
    op.pop(RULE_KEY, None)
    op[LIMIT_KEY] = rule.limit
    answers: dict[str, Any] = op.setdefault("responses", {})
    limit = "this route takes no body" if rule.limit == 0 else f"the limit is {rule.limit} bytes"
    answers.setdefault("413", _problem(413, f"{WHY[413]} ({limit})"))
    if authenticates(route):
        op["security"] = SECURITY
        answers.setdefault("401", _problem(401))
        answers.setdefault("403", _problem(403))
    if op.get("parameters") or "requestBody" in op:
        described = answers.get("422", {}).get("description")
        answers["422"] = _problem(422, None if described in (None, "Validation Error") else described)
    if "requestBody" in op and rule.json:
        answers.setdefault("415", _problem(415))
    for code, answer in answers.items():
        if code[0] in "45" and "content" in answer:  # errors are JSON whatever the route's own type
            schema = next(iter(answer["content"].values())).get("schema", PROBLEM_REF)
            answer["content"] = {"application/json": {"schema": schema}}
