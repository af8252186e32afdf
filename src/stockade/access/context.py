"""What Cedar sees: the site as entities (built once) and the request's facts as context.

Stable facts come from the site file and become Cedar entities once per site
(:class:`SiteModel`): zones, doors, roles and people. Fast-changing facts —
risk, threat level, shift, overrides, grants, revocations, vendor standing, passback state,
reader posture, factor outcomes — are computed per request by
:func:`build_context` and passed as the request context, so nothing is
re-parsed per decision.

    >>> model = SiteModel.of(site, pack.schema)                    # doctest: +SKIP
    >>> ctx = build_context(model, facts, threats, no_risk, req, person, door, "hv-cage",
    ...                     biometric_threshold=0.9)             # doctest: +SKIP
    >>> ctx["biometric"], ctx["threat"]                            # doctest: +SKIP
    ('pass', 'normal')

The risk source is anything with ``score(entity_type, entity_id) -> float``
(0–100), or a plain function of the same two arguments; the engine's risk model
fits, and tests pass a dict-backed one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import cedarpy

from stockade.access.facts import Facts
from stockade.access.request import BIOMETRIC_FACTORS, AccessRequest, Outcome
from stockade.access.threat import ThreatLevels
from stockade.site import calendar
from stockade.site.config import DoorConfig, Person, SiteConfig
from stockade.site.topology import UNREACHABLE, Topology

ENTER = {"type": "Action", "id": "enter"}


@runtime_checkable
class RiskSource(Protocol):
    """Risk scores from 0 to 100 by entity type (``person``, ``credential``) and id."""

    def score(self, entity_type: str, entity_id: str) -> float: ...


RiskLike = RiskSource | Callable[[str, str], float]


class NoRisk:
    """The default risk source: everything scores 0."""

    def score(self, entity_type: str, entity_id: str) -> float:
        return 0.0


def as_risk_source(risk: RiskLike | None) -> RiskSource:
    if risk is None:
        return NoRisk()
    if isinstance(risk, RiskSource):
        return risk
    return _FunctionRisk(risk)


@dataclass(frozen=True, slots=True)
class _FunctionRisk:
    fn: Callable[[str, str], float]

    def score(self, entity_type: str, entity_id: str) -> float:
        return self.fn(entity_type, entity_id)


def _ref(kind: str, ident: str) -> dict[str, dict[str, str]]:
    return {"__entity": {"type": kind, "id": ident}}


def entities_json(site: SiteConfig) -> list[dict[str, Any]]:
    """The site file as Cedar entities (JSON form)."""
    out: list[dict[str, Any]] = [{"uid": {"type": "Site", "id": site.site}, "attrs": {}, "parents": []}]
    for z in site.zones:
        out.append({"uid": {"type": "Zone", "id": z.id}, "parents": [{"type": "Site", "id": site.site}],
                    "attrs": {"kind": z.kind, "public": z.public, "exit": z.exit}})
    for d in site.doors:
        out.append({"uid": {"type": "Door", "id": d.id}, "parents": [],
                    "attrs": {"from_zone": _ref("Zone", d.zones[0]), "to_zone": _ref("Zone", d.zones[1])}})
    for name, role in site.roles.items():
        zones = [] if role.zones == "*" else [_ref("Zone", z) for z in role.zones]
        out.append({"uid": {"type": "Role", "id": name}, "parents": [],
                    "attrs": {"zones": zones, "all_zones": role.zones == "*",
                              "responder": role.responder, "admin": role.admin}})
    for p in site.people:
        held = site.roles.get(p.role) if p.role is not None else None
        attrs: dict[str, Any] = {"kind": p.kind, "responder": bool(held and held.responder)}
        if p.role is not None:
            attrs["role"] = _ref("Role", p.role)
        if p.shift is not None:
            attrs["shift"] = p.shift
        if p.vendor is not None:
            attrs["vendor"] = p.vendor
        parents = [{"type": "Role", "id": p.role}] if p.role is not None else []
        out.append({"uid": {"type": "Person", "id": p.id}, "parents": parents, "attrs": attrs})
    return out


@dataclass(frozen=True, slots=True)
class SiteModel:
    """A site prepared for decisions: its Cedar entities (parsed once) and zone depths."""

    site: SiteConfig
    entities: Any  # cedarpy.Entities, validated against the pack's schema
    depth: dict[str, int]  # doors between a zone and the nearest public, non-perimeter zone

    @classmethod
    def of(cls, site: SiteConfig, schema: Any) -> SiteModel:
        entities = cedarpy.Entities.from_json_str(json.dumps(entities_json(site)), schema)
        topo = Topology.of(site)
        # The way out is a public zone people walk to (yard, lobby); a perimeter ring is reached
        # through emergency exits only, and counting it would make every fire door an "exit".
        public = [z.id for z in site.zones if z.public and z.kind != "perimeter"]
        depth = {z.id: min((topo.zone_hops(z.id, p) for p in public), default=UNREACHABLE)
                 for z in site.zones}
        return cls(site, entities, depth)


def factor_outcomes(request: AccessRequest, biometric_threshold: float) -> tuple[Outcome, Outcome]:
    """(pin, biometric): ``none``, ``pass`` or ``fail``. Scores stop here; policies see outcomes."""
    pin: Outcome = "none"
    bio: Outcome = "none"
    for f in request.factors:
        if f.type == "pin":
            ok = f.verified is True
            pin = "fail" if not ok or pin == "fail" else "pass"
        elif f.type in BIOMETRIC_FACTORS:
            ok = f.score is not None and f.score >= biometric_threshold
            bio = "fail" if not ok or bio == "fail" else "pass"
    return pin, bio


def risk_of(risk: RiskSource, person: Person, credential: str) -> int:
    """The higher of the person's and the credential's risk, as a whole number 0..100."""
    score = max(risk.score("person", person.id), risk.score("credential", credential))
    if math.isnan(score):
        raise ValueError(f"risk score for {person.id} is not a number")
    return max(0, min(100, math.floor(score)))


def build_context(
    model: SiteModel, facts: Facts, threats: ThreatLevels, risk: RiskSource, request: AccessRequest,
    person: Person, door: DoorConfig, zone: str, *, biometric_threshold: float,
) -> dict[str, Any]:
    """The request context for one decision (see ``schema.cedarschema``, type ``Facts``)."""
    site, at = model.site, request.time
    source = door.zones[1] if request.direction == "out" else door.zones[0]
    pin, bio = factor_outcomes(request, biometric_threshold)
    vendor = person.vendor
    return {
        "door": _ref("Door", door.id),
        "direction": request.direction,
        "egress": model.depth.get(zone, UNREACHABLE) < model.depth.get(source, UNREACHABLE),
        "factors": sorted(request.factor_types()),
        "pin": pin,
        "biometric": bio,
        "risk": risk_of(risk, person, request.credential),
        "flagged": facts.flagged(request.credential),
        "threat": threats.level(zone),
        "on_shift": calendar.on_shift(site, person, at),
        "schedule_override": facts.schedule_override(person.id, at),
        "on_leave": calendar.on_leave_at(site, person, at),
        "grant": facts.grant(person.id, zone, at),
        "revoked": facts.revoked(person, zone, at),
        "vendor_zone": vendor is None or _vendor_zone(site, vendor, zone),
        "vendor_hours": vendor is None or calendar.vendor_contract_covers(site, vendor, None, at),
        "vendor_assessment": vendor is None or calendar.assessment_valid(site, vendor, at),
        "passback": facts.location(person.id) == zone,
        "reader_online": request.reader.online,
        "reader_tampered": request.reader.tampered or facts.tampered(door.id),
    }


def _vendor_zone(site: SiteConfig, vendor: str, zone: str) -> bool:
    v = site.vendors_by_id.get(vendor)
    return v is not None and (zone in v.contract.zones or site.zone(zone).public)


def cedar_request(person: Person, zone: str, context: dict[str, Any]) -> dict[str, Any]:
    return {"principal": {"type": "Person", "id": person.id}, "action": ENTER,
            "resource": {"type": "Zone", "id": zone}, "context": context}


def loggable(context: dict[str, Any]) -> dict[str, object]:
    """The context as logged with a decision: plain values, the door as its id."""
    out: dict[str, object] = dict(context)
    out["door"] = context["door"]["__entity"]["id"]
    return out
