"""What the planner asks for: typed intents with stable ids, and step outcomes it decides itself.

An intent's ``id`` is derived from (site, incident, playbook, step), so a replay
plans the same ids, and every port takes it as the idempotency key. ``step`` is
the step's key on the incident, ``<playbook>:<step id>``.

    >>> intent_id("dc-demo", "inc-1", "blind-and-grab:lock")
    'act-b928cac4fa8f85f0aebc'
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from typing import Any

import msgspec

from stockade.events import Alert
from stockade.incidents.model import StepStatus
from stockade.response.ports import FlowDirection


@functools.lru_cache(maxsize=65_536)  # pure; the planner asks again for every step at every evaluation
def intent_id(site: str, incident: str, step: str) -> str:
    return "act-" + hashlib.sha256(f"{site}|{incident}|{step}".encode()).hexdigest()[:20]


class IntentBase(msgspec.Struct, frozen=True, kw_only=True, tag_field="do"):
    id: str
    site: str
    incident: str
    playbook: str
    step: str
    at: datetime
    drill: bool = False


class Lock(IntentBase, tag="lockdown", frozen=True):
    """Set the zones' threat level and lock their doors (entry only; egress is never blocked)."""

    zones: tuple[str, ...]
    doors: tuple[str, ...]
    level: str
    confirm_within_s: int


class Hold(IntentBase, tag="hold_flows", frozen=True):
    zones: tuple[str, ...]
    direction: FlowDirection
    expires_us: int


class Evidence(IntentBase, tag="capture_evidence", frozen=True):
    start: datetime
    end: datetime


class Notify(IntentBase, tag="notify", frozen=True):
    destination: str
    subject: str
    body: dict[str, Any] = msgspec.field(default_factory=dict)


class AssignTo(IntentBase, tag="assign", frozen=True):
    assignee: str


class AskApproval(IntentBase, tag="approve", frozen=True):
    roles: tuple[str, ...]
    due: datetime
    requested_by: str | None = None


class AddTask(IntentBase, tag="task", frozen=True):
    title: str
    mandatory: bool = False


Intent = Lock | Hold | Evidence | Notify | AssignTo | AskApproval | AddTask
PORT_INTENTS = (Lock, Hold, Evidence, Notify)  # carried out through a port; the rest are only logged


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """A step's status the planner decides itself (skipped, approved on timeout, confirmed, failed)."""

    site: str
    incident: str
    playbook: str
    step: str
    do: str
    status: StepStatus
    at: datetime
    intent: str
    detail: str
    drill: bool = False


Decision = Intent | Outcome | Alert  # an alert: goods moving through a held zone (stockade.response.holds)
encode_intent = msgspec.json.Encoder().encode
decode_intent = msgspec.json.Decoder(Intent).decode
intent_builtins = msgspec.to_builtins
