"""The in-process policy decision point: one badge presentation in, allow / deny / step_up out.

    >>> pdp = DecisionPoint(load_site("examples/sites/dc-demo.yaml"), PolicyStore())  # doctest: +SKIP
    >>> answer = pdp.decide(AccessRequest(site="dc-demo", door="D-HV", credential="badge:1020",
    ...                                   time=t, factors=(Presented("badge"),)))    # doctest: +SKIP
    >>> answer.result, answer.step_up, answer.policies                               # doctest: +SKIP
    ('step_up', 'fingerprint', ('high-value-biometric',))
    >>> ledger.append(pdp.to_event(request, answer))                                  # doctest: +SKIP

How an answer is reached:

1. Fail secure before Cedar: an unknown site, door or credential is a ``deny``
   with a reason (policy ids ``stockade:unknown-site`` / ``-door`` / ``-credential``).
2. Cedar evaluates the pack (parsed once) against the site's entities (parsed
   once) and this request's context (:mod:`stockade.access.context`).
3. ``Allow`` is ``allow``. ``Deny`` with no forbid fired is ``deny`` by
   ``stockade:no-permit``. When every forbid that fired carries ``@step_up``,
   the same request is evaluated again as if each of those factors had been
   added and passed; the first one that turns it into ``Allow`` is the answer's
   ``step_up``. Otherwise it is ``deny``: a step-up is only asked for when it
   can lead to entry.
4. Any error — an evaluation error inside Cedar (which would otherwise just
   skip that policy), a risk source that fails, anything — is a ``deny`` by
   ``stockade:error`` with the error in the reasons, and is logged. Never allow
   on error.

``to_event`` turns the answer into the ``decision`` event for the ledger:
factor types presented, PIN and biometric as pass/fail only, the facts the
policies saw, the pack's hash.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import cedarpy

from stockade.access.context import (
    RiskLike,
    RiskSource,
    SiteModel,
    as_risk_source,
    build_context,
    cedar_request,
    loggable,
)
from stockade.access.facts import Facts
from stockade.access.pack import PolicyInfo, PolicyPack, PolicyStore
from stockade.access.request import BIOMETRIC_FACTORS, AccessRequest, Answer, Result
from stockade.access.threat import ThreatLevels
from stockade.events.model import Admin, Decision, Envelope, Factor
from stockade.site.config import SiteConfig

log = logging.getLogger(__name__)

SOURCE = "stockade:pdp"
UNKNOWN_SITE = "stockade:unknown-site"
UNKNOWN_DOOR = "stockade:unknown-door"
UNKNOWN_CREDENTIAL = "stockade:unknown-credential"
NO_PERMIT = "stockade:no-permit"
ERROR = "stockade:error"
STALE_FACTS = "stockade:stale-facts"  # the facts cannot be trusted now (a cluster API node: docs/cluster.md)


def new_decision_id() -> str:
    return f"dec-{uuid.uuid4().hex}"


class DecisionPoint:
    """Decides access for one site. Not thread-safe for ``observe``; decisions only read."""

    def __init__(
        self, site: SiteConfig, policies: PolicyStore | PolicyPack, *, risk: RiskLike | None = None,
        facts: Facts | None = None, threats: ThreatLevels | None = None,
        biometric_threshold: float = 0.9, new_id: Callable[[], str] = new_decision_id,
        source: str = SOURCE,
    ) -> None:
        if not 0 < biometric_threshold <= 1:
            raise ValueError("biometric_threshold is a match score in (0, 1]")
        self.site = site
        self.policies = policies
        self._live = Live(facts if facts is not None else Facts(site),
                          threats if threats is not None else ThreatLevels(site.site), as_risk_source(risk))
        self.biometric_threshold = biometric_threshold
        self.source = source
        self._new_id = new_id
        self._model: tuple[str, SiteModel] | None = None
        self.model_for(self.pack)  # fail loudly at start when the site does not fit the schema

    # --- the facts: replaced whole, so a decision reads one consistent version --------

    @property
    def facts(self) -> Facts:
        return self._live.facts

    @facts.setter
    def facts(self, facts: Facts) -> None:
        self._live = Live(facts, self._live.threats, self._live.risk)

    @property
    def threats(self) -> ThreatLevels:
        return self._live.threats

    @threats.setter
    def threats(self, threats: ThreatLevels) -> None:
        self._live = Live(self._live.facts, threats, self._live.risk)

    @property
    def risk(self) -> RiskSource:
        return self._live.risk

    @risk.setter
    def risk(self, risk: RiskLike | None) -> None:
        self._live = Live(self._live.facts, self._live.threats, as_risk_source(risk))

    def adopt(self, facts: Facts, threats: ThreatLevels, risk: RiskLike | None) -> None:
        """Take another copy of the facts all at once (a cluster API node, from the site's owner):
        a decision already running keeps the version it started with."""
        self._live = Live(facts, threats, as_risk_source(risk))

    @property
    def pack(self) -> PolicyPack:
        return self.policies.current if isinstance(self.policies, PolicyStore) else self.policies

    def model_for(self, pack: PolicyPack) -> SiteModel:
        """The site's entities for this pack's schema, rebuilt only when the pack changes."""
        cached = self._model
        if cached is not None and cached[0] == pack.hash:
            return cached[1]
        model = SiteModel.of(self.site, pack.schema)
        self._model = (pack.hash, model)
        return model

    def observe(self, event: Envelope) -> None:
        """Feed one event of the site's log (access, admin, device, decision; others are ignored)."""
        self.facts.observe(event)
        if isinstance(event, Admin):
            self.threats.observe(event)

    # --- deciding ----------------------------------------------------------------

    def decide(self, request: AccessRequest) -> Answer:
        start = time.perf_counter_ns()
        pack = self.pack
        try:
            return self._decide(request, pack, start)
        except Exception as e:  # fail secure: any failure is a logged deny, never an allow
            log.exception("access decision failed; denying door %s credential %s", request.door,
                          request.credential)
            return self._answer(request, pack, start, "deny", (f"internal error: {type(e).__name__}: {e}",),
                                (ERROR,))

    def refuse(self, request: AccessRequest, reasons: tuple[str, ...], policies: tuple[str, ...]) -> Answer:
        """A ``deny`` decided before the policies (the facts cannot be trusted, say), to be logged."""
        return self._answer(request, self.pack, time.perf_counter_ns(), "deny", reasons, policies)

    def _answer(
        self, request: AccessRequest, pack: PolicyPack, start: int, result: Result,
        reasons: tuple[str, ...], policies: tuple[str, ...], *, step_up: Factor | None = None,
        subject: str | None = None, zone: str | None = None, facts: dict[str, object] | None = None,
    ) -> Answer:
        return Answer(
            decision_id=self._new_id(), result=result, reasons=reasons, policies=policies,
            policy_hash=pack.hash, at=request.time, step_up=step_up, subject=subject, zone=zone,
            facts=facts or {}, eval_us=(time.perf_counter_ns() - start) / 1000,
        )

    def _decide(self, request: AccessRequest, pack: PolicyPack, start: int) -> Answer:
        site = self.site
        if request.site != site.site:
            return self._answer(request, pack, start, "deny",
                                (f"unknown site {request.site!r}: this decision point serves {site.site!r}",),
                                (UNKNOWN_SITE,))
        door = site.doors_by_id.get(request.door)
        if door is None:
            return self._answer(request, pack, start, "deny",
                                (f"unknown door {request.door!r}",), (UNKNOWN_DOOR,))
        person = site.person_by_credential.get(request.credential)
        if person is None:
            return self._answer(request, pack, start, "deny",
                                (f"unknown credential {request.credential!r}",), (UNKNOWN_CREDENTIAL,))
        zone = door.zones[0] if request.direction == "out" else door.zones[1]
        model = self.model_for(pack)
        live = self._live
        context = build_context(model, live.facts, live.threats, live.risk, request, person, door, zone,
                                biometric_threshold=self.biometric_threshold)
        first = cedarpy.is_authorized(cedar_request(person, zone, context), pack.policy_set,
                                      model.entities, pack.schema)
        verdict = _verdict(first, pack)
        facts = loggable(context)

        def answer(result: Result, fired: list[PolicyInfo] | tuple[str, ...], reasons: tuple[str, ...],
                   step_up: Factor | None = None) -> Answer:
            ids = fired if isinstance(fired, tuple) else tuple(p.id for p in fired)
            return self._answer(request, pack, start, result, reasons, ids, step_up=step_up,
                                subject=person.id, zone=zone, facts=facts)

        if isinstance(verdict, Failed):
            return answer("deny", (ERROR,), (verdict.reason,))
        fired = verdict.fired
        if verdict.code == "allow":
            return answer("allow", fired, tuple(p.reason for p in fired))
        if not fired:
            return answer("deny", (NO_PERMIT,), (_no_permit(person.role, zone),))
        if any(p.step_up is None for p in fired):
            hard = [p for p in fired if p.step_up is None] + [p for p in fired if p.step_up is not None]
            return answer("deny", hard, tuple(p.reason for p in hard))
        # Every forbid that fired can be lifted by a factor: ask for one only if it leads to entry.
        wanted = list(dict.fromkeys(p.step_up for p in fired if p.step_up is not None))
        trials = [[f] for f in wanted] + ([wanted] if len(wanted) > 1 else [])
        results = cedarpy.is_authorized_batch(
            [cedar_request(person, zone, _with_factors(context, t)) for t in trials],
            pack.policy_set, model.entities, pack.schema)
        reasons = tuple(p.reason for p in fired)
        for trial, res in zip(trials, results, strict=True):
            if _verdict(res, pack).code == "allow":
                extra = tuple(f"then also: {f}" for f in trial[1:])
                return answer("step_up", fired, reasons + extra, step_up=trial[0])
        last = _verdict(results[-1], pack)
        if isinstance(last, Failed):
            return answer("deny", (ERROR,), (last.reason,))
        remaining = last.fired
        if not remaining:
            return answer("deny", (NO_PERMIT, *(p.id for p in fired)),
                          (_no_permit(person.role, zone), *reasons))
        return answer("deny", remaining + fired, tuple(p.reason for p in remaining) + reasons)

    # --- logging -------------------------------------------------------------------

    def to_event(self, request: AccessRequest, answer: Answer) -> Decision:
        """The ``decision`` event for the ledger: inputs that made it, never a secret or a score."""
        attrs: dict[str, Any] = {
            "direction": request.direction,
            "eval_us": round(answer.eval_us, 1),
            "reader": {"online": request.reader.online, "tampered": request.reader.tampered},
        }
        if answer.zone is not None:
            attrs["zone"] = answer.zone
        if answer.facts:
            attrs["facts"] = dict(answer.facts)
        return Decision(
            id=answer.decision_id, ts=answer.at, site=request.site, source=self.source,
            door=request.door, result=answer.result, reasons=answer.reasons, policies=answer.policies,
            policy_hash=answer.policy_hash, factors=request.factor_types(), credential=request.credential,
            subject=answer.subject, step_up=answer.step_up, attrs=attrs,
        )


@dataclass(frozen=True, slots=True)
class Live:
    """The facts one decision reads: the fold of the site's log, its threat levels, the risk scores."""

    facts: Facts
    threats: ThreatLevels
    risk: RiskSource


@dataclass(frozen=True, slots=True)
class Verdict:
    """What Cedar decided, and the policies that fired, in the pack's order."""

    code: Literal["allow", "deny"]
    fired: list[PolicyInfo]


@dataclass(frozen=True, slots=True)
class Failed:
    """Cedar reported an error or no decision: the decision point denies with ``reason`` (fail secure)."""

    reason: str
    code: Literal["error"] = "error"


def _verdict(result: Any, pack: PolicyPack) -> Verdict | Failed:
    """Cedar's answer as a :class:`Verdict`, or :class:`Failed` when it reported any error."""
    errors = list(result.diagnostics.errors)
    if errors:
        return Failed("policy evaluation error: " + "; ".join(errors))
    if result.decision not in (cedarpy.Decision.Allow, cedarpy.Decision.Deny):
        return Failed(f"policy evaluation gave no decision ({result.decision})")
    # Cedar reports fired policies as a set; keep the pack's order so answers are reproducible.
    fired = [pack.by_cedar_id[r] for r in sorted(result.diagnostics.reasons, key=_position)]
    return Verdict("allow" if result.decision == cedarpy.Decision.Allow else "deny", fired)


def _position(cedar_id: str) -> int:
    return int(cedar_id.removeprefix("policy"))


def _with_factors(context: dict[str, Any], factors: list[Factor]) -> dict[str, Any]:
    """The context as if these factors had been presented and passed."""
    ctx = dict(context)
    ctx["factors"] = sorted({*context["factors"], *factors})
    if "pin" in factors:
        ctx["pin"] = "pass"
    if BIOMETRIC_FACTORS.intersection(factors):
        ctx["biometric"] = "pass"
    return ctx


def _no_permit(role: str | None, zone: str) -> str:
    who = f"role {role!r}" if role else "a person with no role"
    return f"no policy permits {who} to enter {zone!r}"
