"""STK-LED-001: a check of the site's ledger failed while the node was running.

The node checks its ledger while it runs (``stockade.node.ledger_check``): the
periodic audit of the store's rows against the log, and the check every
inclusion proof passes before it is served. When one fails, the node freezes
the site's log (it signs nothing more) and writes an ``action`` event from
source ``stockade:ledger`` (``action: ledger_check``, ``outcome: failed``,
``target``: the check, ``detail``: what is wrong). No device can send one:
output kinds and ``stockade:`` sources are refused at ingest. This detector
turns it into a critical alert, once per check and problem.

    The dc-demo ledger failed its audit check: row 4's kind column says 'tick'; its entry says
      'access'. The log is frozen (no more checkpoints are signed). Investigate with
      `stockade ledger audit --site dc-demo`.
"""

from __future__ import annotations

import msgspec

from stockade.detectors.base import DetectorBase, Params
from stockade.engine.state import SiteState
from stockade.events import Action, Alert, Envelope
from stockade.events.model import Severity

SOURCE = "stockade:ledger"
ACTION = "ledger_check"


class LedgerIntegrityParams(Params, frozen=True):
    severity: Severity = "critical"


class LedgerIntegrityMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    seen: set[tuple[str, str]]


class LedgerIntegrity(DetectorBase[LedgerIntegrityParams]):
    id = "STK-LED-001"
    kinds = frozenset({"action"})
    params_type = LedgerIntegrityParams
    memory_type = LedgerIntegrityMemory

    def setup(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not (isinstance(event, Action) and event.source == SOURCE and event.action == ACTION
                and event.outcome == "failed"):
            return []
        check, problem = event.target or "ledger", event.detail or "no detail"
        if (check, problem) in self._seen:
            return []
        self._seen.add((check, problem))
        site = state.site.site
        summary = (f"The {site} ledger failed its {check} check: {problem}. The log is frozen (no more "
                   f"checkpoints are signed). Investigate with `stockade ledger audit --site {site}`.")
        return [self.alert(state, event.ts, self.params.severity, summary, [event.id], salt=check)]
