"""Playbook test cases: an incident in, the expected steps out (``stockade playbook test CASES.yaml``).

.. code-block:: yaml

    site: ../../../../examples/sites/dc-demo.yaml     # relative to this file
    cases:
      - name: blind and grab, nobody answers
        incident: {pattern: blind_and_grab, severity: critical, zones: [dock-out]}
        changes: [{after: 60s, to: acknowledged}]    # analysts' transitions, optional
        run_for: 5m                                    # event time to let pass (ticks)
        expect: {blind-and-grab:page: sent, blind-and-grab:escalate: skipped}
        absent: [fictitious-pickup:hold]               # steps that must not appear

Each case runs the playbooks through :class:`~stockade.response.rehearsal.Rehearsal`
(recording ports, event time), so a case checks what the planner decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import yaml

from stockade.events import Entities, Incident
from stockade.events.model import IncidentStatus, Severity
from stockade.incidents.changes import change_event
from stockade.incidents.lifecycle import Transition
from stockade.incidents.model import Disposition
from stockade.response.durations import seconds
from stockade.response.errors import ResponseError
from stockade.response.playbook import Playbook
from stockade.response.rehearsal import Rehearsal
from stockade.site import SiteConfig
from stockade.site.yamlfile import safe_load

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


class CaseFileError(ResponseError):
    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")


class IncidentIn(msgspec.Struct, forbid_unknown_fields=True):
    pattern: str
    severity: Severity = "high"
    zones: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()


class ChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    after: str | int
    to: IncidentStatus
    disposition: Disposition | None = None


class Case(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    incident: IncidentIn
    expect: dict[str, str] = {}
    absent: list[str] = []
    changes: list[ChangeIn] = []
    run_for: str | int = "10m"


class CaseFile(msgspec.Struct, forbid_unknown_fields=True):
    cases: list[Case]
    site: str | None = None


@dataclass(frozen=True, slots=True)
class CaseResult:
    name: str
    problems: tuple[str, ...]
    steps: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CaseReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.ok]


def read_cases(path: Path) -> CaseFile:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
        return msgspec.convert(data, CaseFile)
    except OSError as e:
        raise CaseFileError(str(path), f"cannot read: {e.strerror}") from e
    except yaml.YAMLError as e:
        raise CaseFileError(str(path), f"not valid YAML: {e}") from e
    except msgspec.ValidationError as e:
        raise CaseFileError(str(path), str(e).replace("$.", "")) from e


def run_case(case: Case, site: SiteConfig, playbooks: list[Playbook]) -> CaseResult:
    r = Rehearsal(site, playbooks)
    inc = case.incident
    r.feed(Incident(id="case:1", ts=T0, site=site.site, source="stockade/correlation", incident="case",
                    pattern=inc.pattern, severity=inc.severity, status="new", start=T0, end=T0,
                    entities=Entities(zones=inc.zones, people=inc.people, devices=inc.devices), alerts=("al-case",),
                    evidence=(), summary=case.name))
    try:
        changes = sorted(((seconds(c.after), c) for c in case.changes), key=lambda x: x[0])
        until = seconds(case.run_for)
    except ValueError as e:
        return CaseResult(case.name, (str(e),), {})
    events = [(s, change_event(site.site, "case", Transition(c.to, reason="case", disposition=c.disposition),
                                actor="case-analyst", at=T0 + timedelta(seconds=s), event_id=f"act-chg-{i}"))
              for i, (s, c) in enumerate(changes)]
    for t in range(1, until + 1):
        for s, ev in events:
            if s == t:
                r.feed(ev)
        r.tick(T0 + timedelta(seconds=t))
    state = r.states["case"]
    steps: dict[str, str] = {s.id: s.status for s in state.steps}
    problems = [f"{step}: expected {want}, got {steps.get(step, 'nothing')}"
                for step, want in case.expect.items() if steps.get(step) != want]
    problems += [f"{step}: expected nothing, got {steps[step]}" for step in case.absent if step in steps]
    return CaseResult(case.name, tuple(problems), steps)


def run_cases(cases: CaseFile, site: SiteConfig, playbooks: list[Playbook]) -> CaseReport:
    return CaseReport([run_case(c, site, playbooks) for c in cases.cases])
