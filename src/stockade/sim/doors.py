"""Simulated door controllers: a :class:`~stockade.response.ports.DoorControl` for the plain demo.

A real controller receives a lock command (over MQTT, ``connectors/mqtt``),
throws the bolt, and reports the door's new state as a ``door`` event from its
own source. This one does the same without hardware: :meth:`SimulatedDoors.lock`
takes the command (once per idempotency key, as every adapter must) and a
thread of its own reports the door ``locked`` ``actuation`` after the command,
on the demo's event-time clock, through ``report`` — the demo posts it to
``POST /v1/events`` with a door-controller ingest key, so the report goes
through ingest like any device's and the lockdown step is confirmed by it.

    >>> reports = []
    >>> doors = SimulatedDoors(lambda events: reports.extend(events), clock=lambda: T0)   # doctest: +SKIP
    >>> doors.lock("act-1.D-DOCK", DoorCommand("dc-demo", "D-DOCK", "LOCK", "inc-1"))       # doctest: +SKIP
    >>> doors.idle(5.0); reports[0].state                                                  # doctest: +SKIP
    'locked'
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Literal

from stockade.events import Door, Envelope
from stockade.response.ports import DoorCommand

log = logging.getLogger(__name__)
Report = Callable[[Sequence[Envelope]], None]


class SimulatedDoors:
    def __init__(self, report: Report, clock: Callable[[], datetime], *,
                 actuation: timedelta = timedelta(seconds=1)) -> None:
        self._report = report
        self._clock = clock
        self._actuation = actuation
        self._seen: set[str] = set()
        self._guard = threading.Lock()
        self._queue: queue.Queue[Door | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.commands: list[DoorCommand] = []  # what the controllers received, in order
        self.failures = 0  # reports that could not be delivered

    def lock(self, intent_id: str, command: DoorCommand) -> None:
        with self._guard:
            if intent_id in self._seen:
                return
            self._seen.add(intent_id)
            self.commands.append(command)
        state: Literal["locked", "unlocked"] = "locked" if command.command == "LOCK" else "unlocked"
        digest = hashlib.sha256(intent_id.encode()).hexdigest()[:16]
        self._queue.put(Door(id=f"ctl-{command.door}-{digest}", ts=self._clock() + self._actuation,
                             site=command.site, source=command.door, door=command.door, state=state))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="stockade-sim-doors", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def idle(self) -> bool:
        return self._queue.unfinished_tasks == 0

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            try:
                if event is None:
                    return
                self._report([event])
            except Exception:  # a controller that cannot report leaves the step to fail visibly
                self.failures += 1
                log.exception("door controller %s could not report its state", getattr(event, "door", "?"))
            finally:
                self._queue.task_done()
