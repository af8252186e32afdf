"""The four ports together, and the implementations Stockade itself brings.

:class:`Recording` records every request (drills, ``stockade analyze``,
tests) and acts once per idempotency key, as every adapter must;
:class:`Unconfigured` refuses with :class:`~stockade.response.ports.PortError`
so a step without a connector fails visibly and escalates instead of
pretending. Real adapters (MQTT door commands, webhooks) are in ``connectors/``.

    >>> rec = Recording()
    >>> ports = Ports.of(rec)
    >>> ports.notifier.notify("int-1", Notification("s", "desk", "hello"))
    >>> ports.notifier.notify("int-1", Notification("s", "desk", "hello"))
    >>> [(r.port, r.key) for r in rec.requests]
    [('notifier', 'int-1')]
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from stockade.response.ports import (
    DoorCommand,
    DoorControl,
    EvidenceStore,
    FlowControl,
    FlowHold,
    Notification,
    Notifier,
    PortError,
    RetainRequest,
)


@dataclass(frozen=True, slots=True)
class Ports:
    door_control: DoorControl
    flow_control: FlowControl
    notifier: Notifier
    evidence_store: EvidenceStore

    @classmethod
    def of(cls, one: Recording | Unconfigured) -> Ports:
        return cls(one, one, one, one)


@dataclass(frozen=True, slots=True)
class Request:
    port: str
    key: str
    payload: DoorCommand | FlowHold | Notification | RetainRequest


@dataclass
class Recording:
    requests: list[Request] = field(default_factory=list)
    _keys: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, port: str, key: str, payload: DoorCommand | FlowHold | Notification | RetainRequest) -> None:
        with self._lock:
            if (port, key) not in self._keys:
                self._keys.add((port, key))
                self.requests.append(Request(port, key, payload))

    def lock(self, intent_id: str, command: DoorCommand) -> None:
        self._record("door_control", intent_id, command)

    def hold(self, intent_id: str, hold: FlowHold) -> None:
        self._record("flow_control", intent_id, hold)

    def notify(self, intent_id: str, notification: Notification) -> None:
        self._record("notifier", intent_id, notification)

    def retain(self, intent_id: str, request: RetainRequest) -> None:
        self._record("evidence_store", intent_id, request)


class NotConfigured(PortError):
    """No connector for this port: retrying cannot help."""


class Unconfigured:
    """No connector for this port on this node: every request fails, so the step fails and escalates."""

    def _refuse(self, what: str) -> None:
        raise NotConfigured(f"no {what} connector is configured on this node")

    def lock(self, intent_id: str, command: DoorCommand) -> None:
        self._refuse("door-control")

    def hold(self, intent_id: str, hold: FlowHold) -> None:
        self._refuse("flow-control")

    def notify(self, intent_id: str, notification: Notification) -> None:
        self._refuse("notifier")

    def retain(self, intent_id: str, request: RetainRequest) -> None:
        self._refuse("evidence-store")
