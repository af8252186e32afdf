"""The ports through which incident response acts on the world.

The response planner emits intents; an executor carries each one out through
one of these ports and logs the outcome as an ``action`` event. Every method
takes the intent's id first: it is the idempotency key, so an adapter (MQTT
door commands, webhooks to a WMS, a notifier) that sees the same id twice must
act once. Adapters live in ``connectors/`` (one folder per outside system);
drills use recording implementations. A port raises ``PortError`` when the
request could not be handed over; it never blocks waiting for the world to
confirm: a door's confirmation arrives as a ``door`` event in the site's log.

    >>> class Recording:
    ...     def __init__(self) -> None:
    ...         self.sent: list[str] = []
    ...     def lock(self, intent_id: str, command: DoorCommand) -> None:
    ...         self.sent.append(intent_id)
    >>> door_control: DoorControl = Recording()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

DoorVerb = Literal["LOCK", "UNLOCK"]
FlowDirection = Literal["inbound", "outbound", "both"]


class PortError(Exception):
    """The request could not be handed to the outside system (it may be retried under the same intent id)."""


@dataclass(frozen=True, slots=True)
class DoorCommand:
    """Lock or unlock one door, on behalf of an incident (entry only: egress is never blocked)."""

    site: str
    door: str
    command: DoorVerb
    incident: str
    approval: str | None = None
    not_after_us: int | None = None


@dataclass(frozen=True, slots=True)
class FlowHold:
    """Hold a zone's WMS tasks in one direction until ``expires_us`` (event time, microseconds)."""

    site: str
    zone: str
    direction: FlowDirection
    incident: str
    expires_us: int


@dataclass(frozen=True, slots=True)
class Notification:
    """A message to a named destination (a webhook configured by name)."""

    site: str
    destination: str
    subject: str
    body: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RetainRequest:
    """Ask an evidence store (an NVR such as Frigate) to keep these clips past its retention."""

    site: str
    incident: str
    clips: tuple[str, ...]


class DoorControl(Protocol):
    def lock(self, intent_id: str, command: DoorCommand) -> None: ...


class FlowControl(Protocol):
    def hold(self, intent_id: str, hold: FlowHold) -> None: ...


class Notifier(Protocol):
    def notify(self, intent_id: str, notification: Notification) -> None: ...


class EvidenceStore(Protocol):
    def retain(self, intent_id: str, request: RetainRequest) -> None: ...
