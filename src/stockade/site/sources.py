"""Systems other than devices, declared in the site file with what they may send.

A site file's ``sources:`` names the identity, workforce, transport and
warehouse systems that feed a site, the event kinds each may send, and, for
``admin``, the actions it may take:

    sources:
      - {id: iam-1, kinds: [admin], actions: [grant_access, revoke_access, schedule_override, create_user]}
      - {id: wms-1, kinds: [stock]}

A source not declared here is a device and sends device kinds only
(:data:`DEVICE_KINDS`). Threat levels are not an action any source may take:
they change only through the analyst API or a playbook. The rules that read
these declarations are in :mod:`stockade.site.authority`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEVICE_KINDS: frozenset[str] = frozenset({"access", "door", "sensor", "video", "tag", "device", "gate"})
"""What a device sends: the default of an ingest key, and all an undeclared source may send."""

ADMIN_ACTIONS: tuple[str, ...] = (
    "grant_access", "revoke_access", "schedule_override", "create_user", "change_config",
    "disable_device", "arm", "disarm", "flag_credential", "unflag_credential", "reset_passback",
    "create_appointment",
)
"""The admin actions a declared system or an ``admin`` API key may take."""

THREAT_ACTIONS: frozenset[str] = frozenset({"set_threat_level", "clear_threat_level"})
"""Stockade's own: the analyst API (``PUT/DELETE /v1/access/threat-levels``) and playbooks."""

OWN_SOURCE_PREFIX = "stockade:"
"""Sources beginning with this are Stockade itself; nothing from outside may claim one."""

SourceKind = Literal["access", "door", "sensor", "video", "tag", "stock", "device", "gate", "admin"]
_Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@/-]+$")]


def is_own_source(source: str) -> bool:
    """True for the sources Stockade writes as (``stockade:access``, ``stockade:api``, …)."""
    return source.startswith(OWN_SOURCE_PREFIX)


class SourceConfig(BaseModel):
    """One system other than a device, and what it may send."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: _Id = Field(description="the `source` its events carry")
    kinds: list[SourceKind] = Field(min_length=1, description="event kinds it may send")
    actions: list[str] = Field(default_factory=list, description="admin actions it may take (with kind admin)")

    @field_validator("id")
    @classmethod
    def _not_own(cls, v: str) -> str:
        if is_own_source(v):
            raise ValueError(f"{v!r}: sources beginning {OWN_SOURCE_PREFIX!r} are Stockade's own")
        return v

    @field_validator("actions")
    @classmethod
    def _known_actions(cls, v: list[str]) -> list[str]:
        for action in v:
            if action in THREAT_ACTIONS:
                raise ValueError(f"{action!r}: threat levels change only through the analyst API "
                                 "(PUT/DELETE /v1/access/threat-levels/{site}) or a playbook, never a source")
            if action not in ADMIN_ACTIONS:
                raise ValueError(f"unknown admin action {action!r}; known: {', '.join(ADMIN_ACTIONS)}")
        return v

    @model_validator(mode="after")
    def _actions_need_admin(self) -> SourceConfig:
        if "admin" in self.kinds and not self.actions:
            raise ValueError(f"source {self.id!r} sends admin events: list the actions it may take "
                             f"(actions: [{', '.join(ADMIN_ACTIONS[:3])}, …])")
        if self.actions and "admin" not in self.kinds:
            raise ValueError(f"source {self.id!r} lists actions but not kind admin")
        return self
