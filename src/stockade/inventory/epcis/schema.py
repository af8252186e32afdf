"""Validation of EPCIS 2.0 JSON documents against the GS1 JSON schema, offline.

The schema (``EPCIS-JSON-Schema.json``, gs1/EPCIS, licence in ``EPCIS-JSON-Schema.LICENSE``) is
package data; no JSON-LD context is fetched. Draft 7 with format checking (``date-time``, ``uri``
need ``jsonschema[format-nongpl]``), so a bare non-CBV ``bizStep`` or a malformed time is refused.

    >>> problems = validate_document({"type": "EPCISDocument"})
    >>> problems[0].path
    '$'

Each problem names the JSON path of what is wrong and, for a problem inside one event, that
event's index in ``epcisBody.eventList`` (so ``proceed`` can keep the others).

A document is checked by jsonschema-rs; the Python ``jsonschema`` is imported only to explain one
that fails (or to check a query body): importing it builds its format checkers' parsers, about a
second of every start of ``stockade serve`` when it was imported with this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "EPCIS-JSON-Schema.json"
QUERY_SCHEMA_FILE = "query-schema.json"  # gs1/EPCIS REST Bindings, for named-query bodies


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document: where (a JSON path) and what."""

    path: str
    message: str
    event: int | None = None  # index in epcisBody.eventList, when the problem is inside one event

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def json_path(parts: Iterable[str | int]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


@cache
def _schema(name: str = SCHEMA_FILE) -> Any:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@cache
def _validator(name: str = SCHEMA_FILE) -> Any:
    import jsonschema  # the explaining validator, imported when first needed (see the module's text)

    cls = jsonschema.Draft7Validator
    return cls(_schema(name), format_checker=cls.FORMAT_CHECKER)


@cache
def _fast(name: str = SCHEMA_FILE) -> Any:
    """The same schema compiled by jsonschema-rs (formats checked): ~500 times faster on valid input,
    which is the hot path; the Python validator then explains what is wrong with an invalid one."""
    return jsonschema_rs.Draft7Validator(_schema(name), validate_formats=True)


def _deepest(error: ValidationError) -> ValidationError:
    # oneOf/anyOf report at the branch point; the best sub-error names the field at fault
    from jsonschema.exceptions import best_match

    while error.context:
        sub = best_match(error.context)
        if sub is None or len(sub.absolute_path) < len(error.absolute_path):
            break
        error = sub
    return error


def _event_index(parts: Sequence[str | int]) -> int | None:
    if len(parts) >= 3 and parts[0] == "epcisBody" and parts[1] == "eventList" and isinstance(parts[2], int):
        return parts[2]
    if (len(parts) >= 5 and parts[:4] == ["epcisBody", "queryResults", "resultsBody", "eventList"]
            and isinstance(parts[4], int)):
        return parts[4]
    return None


def validate_document(document: object) -> list[Problem]:
    """Every schema problem of an EPCISDocument or EPCISQueryDocument, in path order; [] when valid."""
    if _fast().is_valid(document):
        return []
    problems: dict[tuple[str, str], Problem] = {}
    for error in _validator().iter_errors(document):
        deep = _deepest(error)
        parts = list(deep.absolute_path)
        problem = Problem(json_path(parts), deep.message[:300], _event_index(parts))
        problems.setdefault((problem.path, problem.message), problem)
    if not problems:  # the two validators disagree: refuse, with the fast one's reasons
        for rs_error in _fast().iter_errors(document):
            parts = list(rs_error.instance_path)
            problem = Problem(json_path(parts), str(rs_error.message)[:300], _event_index(parts))
            problems.setdefault((problem.path, problem.message), problem)
    return sorted(problems.values(), key=lambda p: p.path)


def validate_event(event: object) -> list[Problem]:
    """Problems of one event, checked as the only event of a minimal document (for ``POST /events``)."""
    document = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
                "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2000-01-01T00:00:00Z",
                "epcisBody": {"eventList": [event]}}
    out = []
    for p in validate_document(document):
        path = p.path.replace("$.epcisBody.eventList[0]", "$", 1) if p.event == 0 else p.path
        out.append(Problem(path, p.message, 0 if p.event == 0 else None))
    return out


def validate_query(query: object) -> list[Problem]:
    """Problems of an EPCIS query body (``POST /queries``' ``query``) against the GS1 query schema."""
    problems: dict[tuple[str, str], Problem] = {}
    for error in _validator(QUERY_SCHEMA_FILE).iter_errors(query):
        deep = _deepest(error)
        problem = Problem(json_path(list(deep.absolute_path)), deep.message[:300])
        problems.setdefault((problem.path, problem.message), problem)
    return sorted(problems.values(), key=lambda p: p.path)
