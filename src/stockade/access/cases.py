"""Table-driven policy tests: request in, expected decision and reason out (``stockade policy test``).

A cases file is YAML. ``site`` is the site file (relative to the cases file;
``--site`` overrides it); ``defaults`` fill in every request; each case may set
up facts first (``given``: risk scores by person or credential id, threat
levels, SEF/1 events such as grants, overrides or earlier entries) and says
what it expects: the ``result``, and optionally the ``step_up`` factor, policy
ids that must be among those that fired, and a ``reason`` that must appear (as
a case-insensitive substring) in one of the reasons.

.. code-block:: yaml

    site: ../sites/dc-demo.yaml
    defaults: {time: "2026-11-23T09:00:00+01:00", factors: [badge]}
    cases:
      - name: high-value picker needs a fingerprint
        request: {door: D-HV, credential: "badge:1020"}
        expect: {result: step_up, step_up: fingerprint, policies: [high-value-biometric]}
      - name: lockdown stops a picker
        given: {threat: {zones: {storage: lockdown}}}
        request: {door: D-FLOOR, credential: "badge:1001"}
        expect: {result: deny, reason: lockdown}

    >>> report = run_cases("cases.yaml")                     # doctest: +SKIP
    >>> report.ok, len(report.failures)                      # doctest: +SKIP
    (True, 0)

Each case starts from empty facts and normal threat levels; the pack and the
site's entities are parsed once for the whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import yaml

from stockade.access.errors import CaseFileError
from stockade.access.facts import Facts
from stockade.access.pack import DEFAULT_POLICY_DIR, PolicyPack, load_pack
from stockade.access.pdp import DecisionPoint
from stockade.access.request import AccessRequest, Answer, Result
from stockade.access.threat import Level, ThreatLevels
from stockade.events import EventError, decode_event
from stockade.events.model import Factor
from stockade.site import SiteConfig, load_site
from stockade.site.yamlfile import safe_load

GIVEN_SOURCE = "stockade:policy-test"
"""The source of ``given`` events that name none: one of Stockade's own, so given admin events count."""


class Expect(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    result: Result
    step_up: Factor | None = None
    policies: list[str] = msgspec.field(default_factory=list)
    reason: str | None = None


class ThreatGiven(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    site: Level | None = None
    zones: dict[str, Level] = msgspec.field(default_factory=dict)


class Given(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    risk: dict[str, float] = msgspec.field(default_factory=dict)
    threat: ThreatGiven | None = None
    events: list[dict[str, Any]] = msgspec.field(default_factory=list)


class Case(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    request: dict[str, Any]
    expect: Expect
    given: Given = Given()


class CaseFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    cases: list[Case]
    site: str | None = None
    defaults: dict[str, Any] = msgspec.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CaseResult:
    name: str
    answer: Answer
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class CaseReport:
    policy_hash: str
    site: str
    results: list[CaseResult] = field(default_factory=list)

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class _DictRisk:
    scores: dict[str, float]

    def score(self, entity_type: str, entity_id: str) -> float:
        return self.scores.get(entity_id, 0.0)


def read_cases(path: str | Path) -> CaseFile:
    p = Path(path)
    try:
        data = safe_load(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise CaseFileError(str(p), f"cannot read: {e.strerror}") from e
    except yaml.YAMLError as e:
        raise CaseFileError(str(p), f"not valid YAML: {e}") from e
    try:
        return msgspec.convert(data, CaseFile)
    except msgspec.ValidationError as e:
        raise CaseFileError(str(p), str(e).replace("$.", "")) from e


def _request(raw: dict[str, Any], defaults: dict[str, Any], site: str, where: str) -> AccessRequest:
    merged = {"site": site, **defaults, **raw}
    merged["factors"] = [{"type": f} if isinstance(f, str) else f for f in merged.get("factors", [])]
    try:
        return msgspec.convert(merged, AccessRequest)
    except msgspec.ValidationError as e:
        raise CaseFileError(where, f"request: {str(e).replace('$.', '')}") from e


def _given(pdp: DecisionPoint, given: Given, request: AccessRequest, where: str) -> None:
    site = pdp.site.site
    pdp.facts = Facts(pdp.site)
    pdp.threats = ThreatLevels(site)
    pdp.risk = _DictRisk(given.risk)
    before = request.time - timedelta(minutes=1)
    if given.threat is not None:
        if given.threat.site is not None:
            pdp.threats.set(given.threat.site, actor="policy-test", at=before)
        for zone, level in given.threat.zones.items():
            pdp.threats.set(level, actor="policy-test", at=before, zone=zone)
    for i, raw in enumerate(given.events):
        filled = {"id": f"case-event-{i}", "site": site, "source": GIVEN_SOURCE, "ts": before, **raw}
        try:
            event = decode_event(msgspec.json.encode(filled))
        except EventError as e:
            raise CaseFileError(where, f"given.events[{i}]: {e}") from e
        pdp.observe(event)


def check(expect: Expect, answer: Answer) -> tuple[str, ...]:
    """What differs between the expectation and the answer; empty when the case passes."""
    problems = []
    if answer.result != expect.result:
        problems.append(f"result: expected {expect.result}, got {answer.result}")
    if expect.step_up is not None and answer.step_up != expect.step_up:
        problems.append(f"step_up: expected {expect.step_up}, got {answer.step_up}")
    missing = [p for p in expect.policies if p not in answer.policies]
    if missing:
        problems.append(f"policies: expected {', '.join(missing)} among those that fired")
    if expect.reason is not None and not any(expect.reason.lower() in r.lower() for r in answer.reasons):
        problems.append(f"reason: expected one containing {expect.reason!r}")
    return tuple(problems)


def run_cases(path: str | Path, *, policies: str | Path | PolicyPack | None = None,
              site: str | Path | SiteConfig | None = None) -> CaseReport:
    """Run every case of a cases file; raise CaseFileError, PolicyError or SiteConfigError
    when the files cannot be used at all."""
    p = Path(path)
    spec = read_cases(p)
    if site is None:
        if spec.site is None:
            raise CaseFileError(str(p), "names no site: add `site: FILE` or pass --site")
        site = p.parent / spec.site
    site_config = site if isinstance(site, SiteConfig) else load_site(site)
    if not isinstance(policies, PolicyPack):
        policies = load_pack(DEFAULT_POLICY_DIR if policies is None else policies)
    pdp = DecisionPoint(site_config, policies, new_id=_counter())
    report = CaseReport(policies.hash, site_config.site)
    for n, case in enumerate(spec.cases):
        where = f"{p} cases[{n}] ({case.name})"
        request = _request(case.request, spec.defaults, site_config.site, where)
        _given(pdp, case.given, request, where)
        answer = pdp.decide(request)
        report.results.append(CaseResult(case.name, answer, check(case.expect, answer)))
    return report


def _counter() -> Callable[[], str]:
    """Decision ids for test runs: dec-test-1, dec-test-2, ..."""
    n = iter(range(1, 1 << 62))
    return lambda: f"dec-test-{next(n)}"
