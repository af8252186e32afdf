"""Planning a capture: an EPCIS document in, the SEF/1 events to commit and the errors out. Pure.

    >>> plan = plan_document(document, site=site, source="wms-1")     # doctest: +SKIP
    >>> [(i, e.op) for i, e in plan.events], [str(x) for x in plan.errors]   # doctest: +SKIP
    ([(0, 'receive')], ['event 1: $.epcisBody.eventList[1].action: ...'])

A problem with the document as a whole (no ``@context``, not an EPCISDocument) is in
``plan.document_errors`` and nothing of it can be captured; a problem inside one event (the schema,
the mapping, a second copy of the same event) names that event, so ``proceed`` can keep the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stockade.events import Stock
from stockade.inventory.epcis.event_hash import document_events, namespaces
from stockade.inventory.epcis.mapping import MappingError, company_prefixes, location_table, map_event
from stockade.inventory.epcis.schema import validate_document, validate_event
from stockade.site import SiteConfig

VALIDATION = "epcisException:ValidationException"
DUPLICATE = "epcisException:ResourceAlreadyExistsException"
CAPTURE_LIMIT = "epcisException:CaptureLimitExceededException"
SECURITY = "epcisException:SecurityException"
NO_SUCH = "epcisException:NoSuchResourceException"
QUERY_PARAMETER = "epcisException:QueryParameterException"
IMPLEMENTATION = "epcisException:ImplementationException"


@dataclass(frozen=True, slots=True)
class CaptureError:
    index: int | None  # the event's index in the document; None for the document as a whole
    path: str
    reason: str
    type: str = VALIDATION

    def __str__(self) -> str:
        where = "document" if self.index is None else f"event {self.index}"
        return f"{where}: {self.path}: {self.reason}"

    def problem(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "title": self.reason.split(":")[0][:80],
                               "detail": f"{self.path}: {self.reason}", "path": self.path}
        if self.index is not None:
            out["eventIndex"] = self.index
        return out


@dataclass
class Plan:
    events: list[tuple[int, Stock]] = field(default_factory=list)
    errors: list[CaptureError] = field(default_factory=list)
    document_errors: list[CaptureError] = field(default_factory=list)
    count: int = 0


def _prefix(index: int) -> str:
    return f"$.epcisBody.eventList[{index}]"


def plan_document(document: object, *, site: SiteConfig, source: str) -> Plan:
    plan = Plan()
    if not isinstance(document, Mapping):
        plan.document_errors.append(CaptureError(None, "$", "an EPCIS document is a JSON object"))
        return plan
    by_event: dict[int, list[CaptureError]] = {}
    for problem in validate_document(document):
        if problem.event is None:
            plan.document_errors.append(CaptureError(None, problem.path, problem.message))
        else:
            by_event.setdefault(problem.event, []).append(CaptureError(problem.event, problem.path, problem.message))
    if plan.document_errors:
        return plan
    events = document_events(document)
    plan.count = len(events)
    ns = namespaces(document.get("@context"))
    table, prefixes = location_table(site), company_prefixes(site)
    seen: dict[str, int] = {}
    for i, event in enumerate(events):
        if i in by_event:
            plan.errors.extend(by_event[i])
            continue
        try:
            stock = map_event(event, site=site, source=source, ns=ns, table=table, prefixes=prefixes)
        except MappingError as e:
            plan.errors.append(CaptureError(i, _prefix(i) + e.path[1:], e.reason))
            continue
        if stock.id in seen:
            plan.errors.append(CaptureError(i, _prefix(i), f"the same event as event {seen[stock.id]} "
                                                           f"(event hash {stock.id})", DUPLICATE))
            continue
        seen[stock.id] = i
        plan.events.append((i, stock))
    return plan


def plan_event(event: object, *, site: SiteConfig, source: str) -> Plan:
    """``POST /events``: one event, paths relative to it."""
    plan = Plan(count=1)
    if not isinstance(event, Mapping):
        plan.errors.append(CaptureError(0, "$", "an EPCIS event is a JSON object"))
        return plan
    problems = validate_event({k: v for k, v in event.items() if k != "@context"})
    if problems:
        plan.errors.extend(CaptureError(0, p.path, p.message) for p in problems)
        return plan
    try:
        stock = map_event(event, site=site, source=source, ns=namespaces(event.get("@context")))
    except MappingError as e:
        plan.errors.append(CaptureError(0, e.path, e.reason))
        return plan
    plan.events.append((0, stock))
    return plan
