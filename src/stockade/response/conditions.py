"""Trigger and ``run_if`` conditions: what an incident must look like for a playbook or a step.

A condition names any of ``pattern``, ``severity_at_least``, ``zone_kind``,
``site`` and ``status`` (all named must hold), and may nest ``any_of`` /
``all_of`` lists of conditions (sigstore's ``AnyOf`` / ``AllOf`` policies).

    >>> c = Condition.model_validate({"any_of": [{"pattern": "blind_and_grab"},
    ...                                          {"severity_at_least": "critical", "zone_kind": ["dock"]}]})
    >>> c.describe()
    'any of (pattern blind_and_grab; severity at least critical, zone kind dock)'
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stockade.events.model import SEVERITIES, IncidentStatus, Severity
from stockade.incidents.model import IncidentState


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _listed(v: object) -> object:
    return [v] if isinstance(v, str) else v


class Condition(Model):
    pattern: tuple[str, ...] = Field((), description="one of these correlation patterns")
    severity_at_least: Severity | None = Field(None, description="the incident's severity or higher")
    zone_kind: tuple[str, ...] = Field((), description="the incident touches a zone of one of these kinds")
    site: tuple[str, ...] = Field((), description="only these sites")
    status: tuple[IncidentStatus, ...] = Field((), description="the incident is in one of these states")
    any_of: tuple[Condition, ...] = Field((), description="at least one of these holds")
    all_of: tuple[Condition, ...] = Field((), description="every one of these holds")

    _list = field_validator("pattern", "zone_kind", "site", "status", mode="before")(_listed)

    def matches(self, incident: IncidentState, zone_kinds: Mapping[str, str]) -> bool:
        """Whether ``incident`` satisfies this; ``zone_kinds`` maps the site's zone ids to kinds."""
        if self.pattern and incident.pattern not in self.pattern:
            return False
        if self.severity_at_least is not None and (
                SEVERITIES.index(incident.severity) < SEVERITIES.index(self.severity_at_least)):
            return False
        if self.zone_kind and not any(zone_kinds.get(z) in self.zone_kind for z in incident.entities.zones):
            return False
        if self.site and incident.site not in self.site:
            return False
        if self.status and incident.status not in self.status:
            return False
        if self.any_of and not any(c.matches(incident, zone_kinds) for c in self.any_of):
            return False
        return all(c.matches(incident, zone_kinds) for c in self.all_of)

    def describe(self) -> str:
        parts = []
        if self.pattern:
            parts.append(f"pattern {' or '.join(self.pattern)}")
        if self.severity_at_least:
            parts.append(f"severity at least {self.severity_at_least}")
        if self.zone_kind:
            parts.append(f"zone kind {' or '.join(self.zone_kind)}")
        if self.site:
            parts.append(f"site {' or '.join(self.site)}")
        if self.status:
            parts.append(f"status {' or '.join(self.status)}")
        if self.any_of:
            parts.append(f"any of ({'; '.join(c.describe() for c in self.any_of)})")
        if self.all_of:
            parts.append(f"all of ({'; '.join(c.describe() for c in self.all_of)})")
        return ", ".join(parts) or "always"
