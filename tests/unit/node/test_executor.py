"""The executor (stockade.node.executor) over a real store: retries, failures, exactly-once after a crash."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from stockade.events import Envelope, canonical_event
from stockade.response.execute import Carrier
from stockade.response.intents import Lock, Notify, intent_id
from stockade.response.ports import DoorCommand, Notification, PortError
from stockade.response.portset import Ports, Recording
from stockade.store.incidents import IncidentProjection
from stockade.store.sqlite import SqliteStore
from tests.unit.response.helpers import T0, blind_and_grab, outcomes, rehearsal


class Log:
    """The node's write path in small: commit to the store, fold into the incident projection."""

    def __init__(self, tmp_path: Path) -> None:
        self.store = SqliteStore.open(tmp_path)
        self.projection = IncidentProjection(self.store)

    def write(self, site: str, events: Sequence[Envelope]) -> None:
        results = self.store.append(site, events, [canonical_event(e) for e in events])
        self.projection.observe(site, [(r.seq, e) for r, e in zip(results, events, strict=True)
                                       if r.status == "accepted"])

    def outcomes(self, step: str) -> list[str]:
        return [str(getattr(r.event, "outcome", "")) for r in self.store.read("dc-demo")
                if getattr(r.event, "target", None) == step]


def _notify(step: str = "pb:page") -> Notify:
    return Notify(id=intent_id("dc-demo", "inc-bg", step), site="dc-demo", incident="inc-bg", playbook="pb",
                  step=step, at=T0, destination="security-desk", subject="s")


def _lock() -> Lock:
    return Lock(id=intent_id("dc-demo", "inc-bg", "pb:lock"), site="dc-demo", incident="inc-bg", playbook="pb",
                step="pb:lock", at=T0, zones=("dock-out",), doors=("D-PACK-DOCK",), level="lockdown",
                confirm_within_s=30)


class Failing(Recording):
    """A webhook answering 500 (the adapter raises PortError) a given number of times."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.calls = 0

    def notify(self, intent_id: str, notification: Notification) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise PortError("security-desk answered HTTP 500")
        super().notify(intent_id, notification)


@pytest.fixture
def log(tmp_path: Path) -> Log:
    log = Log(tmp_path)
    log.write("dc-demo", [blind_and_grab()])
    return log


def test_a_port_error_is_retried_with_backoff_and_then_sent(log: Log) -> None:
    port, waits = Failing(2), []
    carrier = Carrier(Ports.of(port), log.write, log.store.get_incident, attempts=4, backoff_s=0.5,
                      sleep=waits.append)
    carrier.carry_out(_notify())
    assert waits == [0.5, 1.0]
    assert log.outcomes("pb:page") == ["planned", "sent"]
    assert len(port.requests) == 1


def test_a_port_that_keeps_failing_is_failed_visibly_never_dropped(log: Log) -> None:
    carrier = Carrier(Ports.of(Failing(99)), log.write, log.store.get_incident, attempts=3, sleep=lambda _s: None)
    carrier.carry_out(_notify())
    assert log.outcomes("pb:page") == ["planned", "failed"]
    state = log.store.get_incident("dc-demo", "inc-bg")
    assert state is not None
    step = state.step("pb:page")
    assert step is not None
    assert step.status == "failed"
    assert "HTTP 500" in (step.detail or "")
    assert "after 3 attempts" in (step.detail or "")


def test_a_failed_webhook_escalates_through_the_playbook() -> None:
    class DeskDown(Recording):
        def notify(self, intent_id: str, notification: Notification) -> None:
            if notification.destination == "security-desk":
                raise PortError("security-desk answered HTTP 500")
            super().notify(intent_id, notification)

    down = DeskDown()
    r = rehearsal(ports=Ports.of(down))
    r.feed(blind_and_grab())
    assert ("blind-and-grab:page", "failed") in outcomes(r)
    assert ("blind-and-grab:page.escalation", "sent") in outcomes(r)
    assert [q.payload.destination for q in down.requests if q.port == "notifier"] == ["duty-manager"]  # type: ignore[union-attr]


class Killed(BaseException):
    """The process dies: nothing after this line of the executor runs."""


class DiesOnLock(Recording):
    def lock(self, intent_id: str, command: DoorCommand) -> None:
        raise Killed


def test_a_node_killed_between_planned_and_sent_sends_exactly_once_after_restart(tmp_path: Path, log: Log) -> None:
    from stockade.node.executor import Executor

    with pytest.raises(Killed):
        Carrier(Ports.of(DiesOnLock()), log.write, log.store.get_incident).carry_out(_lock())
    assert log.outcomes("pb:lock") == ["planned"]
    # restart: a new executor finds the intent planned and not sent in the log
    doors = Recording()
    executor = Executor(Carrier(Ports.of(doors), log.write, log.store.get_incident), log.store)
    assert executor.recover("dc-demo") == 1
    assert doors.requests == []  # queued for the executor's lanes, not sent in the starting thread
    executor.drain()
    assert [(q.port, q.key) for q in doors.requests] == [("door_control", f"{_lock().id}.D-PACK-DOCK")]
    assert log.outcomes("pb:lock") == ["planned", "sent"]
    # a second restart, and a replay of the same intent, send nothing more
    assert executor.recover("dc-demo") == 0
    executor.carrier.carry_out(_lock())
    assert len(doors.requests) == 1
    assert log.outcomes("pb:lock") == ["planned", "sent"]
