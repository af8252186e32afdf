"""Access for every site of a node: one decision point per site, decisions logged as they are made.

The API (and anything else that decides in process) talks to this object:

    >>> service = AccessService(node.sites, PolicyStore(), log=node.ingestor.write_outputs)  # doctest: +SKIP
    >>> answer, event = service.decide(request)        # decided, and the decision event logged  # doctest: +SKIP
    >>> service.set_threat("dc-demo", "lockdown", zone="dock-out", actor="analyst-1", at=now)  # doctest: +SKIP
    >>> service.observe_committed("dc-demo", committed)   # every committed (seq, event) of the site  # doctest: +SKIP

``log`` appends Stockade's own events to the site's ledger (the node's
``Ingestor.write_outputs``); those events then reach the engine like any other,
so a refused step-up followed by a forced door is one story. A decision that
cannot be logged is not given: the answer becomes ``deny`` (fail secure).

The facts each decision point keeps are a fold over the site's log: feed every
committed event to :meth:`observe_committed`, and at start-up replay the log
with :meth:`replay`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from stockade.access.context import RiskLike
from stockade.access.errors import UnknownTargetError
from stockade.access.pack import PolicyStore, Reload
from stockade.access.pdp import ERROR, STALE_FACTS, UNKNOWN_SITE, DecisionPoint, new_decision_id
from stockade.access.request import AccessRequest, Answer
from stockade.access.threat import Level, ThreatLevelsView
from stockade.events.model import Admin, Decision, Envelope
from stockade.site.config import SiteConfig

log = logging.getLogger(__name__)
FACT_KINDS = frozenset({"access", "admin", "device", "decision"})  # what the decision points' facts fold

LogSink = Callable[[str, Sequence[Envelope]], None]


class AccessService:
    """Decision points for a node's sites, sharing one policy store."""

    def __init__(
        self, sites: Mapping[str, SiteConfig], policies: PolicyStore, *, log: LogSink | None = None,
        risk_for: Callable[[str], RiskLike | None] | None = None, biometric_threshold: float = 0.9,
    ) -> None:
        self.policies = policies
        self._log = log
        self.untrusted: Callable[[str], str | None] | None = None
        """Why a site's facts cannot be trusted now, or None (a cluster API node: their age). Set, every
        decision of a site it names is a logged ``deny`` by ``stockade:stale-facts`` with that reason."""
        self.revisions: dict[str, int] = dict.fromkeys(sites, 0)
        """Per site: how many fact-changing events were folded (a cluster worker republishes on a change)."""
        self.positions: dict[str, int] = dict.fromkeys(sites, 0)
        """Per site: the last log position fed through :meth:`observe_committed`."""
        self.threat_changes = threading.Lock()
        """Held while a threat-level change is made and logged, and while a snapshot reads the levels
        (:mod:`stockade.node.access_snapshot`), so a snapshot never holds a change being undone."""
        self.on_threat_logged: Callable[[str, Admin], None] | None = None
        """Told of each threat-level change once logged (a cluster API node keeps it in force until the
        owner's facts include it)."""
        self.points = {
            site_id: DecisionPoint(site, policies, risk=risk_for(site_id) if risk_for else None,
                                   biometric_threshold=biometric_threshold)
            for site_id, site in sites.items()
        }

    def point(self, site: str) -> DecisionPoint:
        pdp = self.points.get(site)
        if pdp is None:
            raise UnknownTargetError("site", site)
        return pdp

    # --- decisions ---------------------------------------------------------------------

    def decide(self, request: AccessRequest) -> tuple[Answer, Decision | None]:
        """Decide and log. The event is None only for an unknown site (it has no log)."""
        start = time.perf_counter_ns()
        pdp = self.points.get(request.site)
        if pdp is None:
            return Answer(
                decision_id=new_decision_id(), result="deny", reasons=(f"unknown site {request.site!r}",),
                policies=(UNKNOWN_SITE,), policy_hash=self.policies.current.hash, at=request.time,
                eval_us=(time.perf_counter_ns() - start) / 1000,
            ), None
        why = self.untrusted(request.site) if self.untrusted is not None else None
        answer = pdp.decide(request) if why is None else pdp.refuse(request, (why,), (STALE_FACTS,))
        event = pdp.to_event(request, answer)
        if self._log is None:
            return answer, event
        try:
            self._log(request.site, [event])
        except Exception as e:  # a decision that cannot be logged is not given
            log.exception("could not log decision %s; denying", answer.decision_id)
            denied = Answer(
                decision_id=answer.decision_id, result="deny",
                reasons=(f"the decision could not be logged: {type(e).__name__}: {e}",),
                policies=(ERROR,), policy_hash=answer.policy_hash, at=answer.at, eval_us=answer.eval_us,
                subject=answer.subject, zone=answer.zone, facts=answer.facts,
            )
            return denied, pdp.to_event(request, denied)
        return answer, event

    # --- threat levels -------------------------------------------------------------------

    def set_threat(self, site: str, level: Level, *, actor: str, at: datetime, zone: str | None = None,
                   detail: str | None = None) -> Admin:
        """Raise or lower a zone's (or the site's) level; the next decision sees it. Logged."""
        pdp = self._zone_check(site, zone)
        return self._change_threat(site, pdp, lambda: pdp.threats.set(level, actor=actor, at=at, zone=zone,
                                                                      detail=detail))

    def clear_threat(self, site: str, *, actor: str, at: datetime, zone: str | None = None,
                     detail: str | None = None) -> Admin:
        pdp = self._zone_check(site, zone)
        return self._change_threat(site, pdp, lambda: pdp.threats.clear(actor=actor, at=at, zone=zone,
                                                                        detail=detail))

    def _change_threat(self, site: str, pdp: DecisionPoint, change: Callable[[], Admin]) -> Admin:
        """Make a level change and log its event. If the log refuses the event the levels are put back
        and the error is raised: no level stays in force, or reaches a snapshot, that the log does not
        hold (a restart from the log would not have it)."""
        threats = pdp.threats
        with self.threat_changes:
            before = threats.save()
            event = change()
            if self._log is not None:
                try:
                    self._log(site, [event])
                except BaseException:
                    threats.load(before)
                    raise
        if self.on_threat_logged is not None:
            self.on_threat_logged(site, event)
        return event

    def threat_levels(self, site: str) -> ThreatLevelsView:
        return self.point(site).threats.view()

    def _zone_check(self, site: str, zone: str | None) -> DecisionPoint:
        pdp = self.point(site)
        if zone is not None and zone not in pdp.site.zones_by_id:
            raise UnknownTargetError("zone", zone)
        return pdp

    # --- facts from the log ------------------------------------------------------------

    def observe_committed(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        """Feed committed events (the node's ``on_committed`` shape: (seq, event) pairs)."""
        pdp = self.points.get(site)
        if pdp is not None and events:
            changed = 0
            for _, event in events:
                if event.kind in FACT_KINDS:  # most of a log is tag reads and video: skip them cheaply
                    pdp.observe(event)
                    changed += event.kind != "decision"  # a decision changes no fact (access/facts.py)
            self.revisions[site] += changed
            self.positions[site] = max(self.positions[site], events[-1][0])

    def replay(self, site: str, events: Iterable[Envelope]) -> int:
        """Rebuild a site's facts and threat levels from its log, oldest first."""
        pdp = self.point(site)
        n = 0
        for event in events:
            if event.kind in FACT_KINDS:
                pdp.observe(event)
                n += 1
        return n

    def reload_policies_if_changed(self) -> Reload:
        """Swap the pack when its files changed (validated first; the old pack stays on error)."""
        return self.policies.reload_if_changed()
