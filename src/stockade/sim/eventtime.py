"""Event time for a node fed a simulated night: one clock that every part of incident response reads.

A live node stamps playbook outcomes and analysts' changes on the wall clock
and ticks the playbooks' timers every second. A simulated night (the demo, a
drill) happened at another time and runs faster, so its node reads one
:class:`EventClock` instead, which the driver moves as the night's events go
in: the timers fire in step with the events (the planner is a fold on event
time), and what is logged is stamped when it happened in the night.

    >>> clock = EventClock(T0)                                   # doctest: +SKIP
    >>> on_event_time(node, clock); clock.now = T0 + STEP        # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime

from stockade.node.runtime import Node


class EventClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, to: datetime) -> datetime:
        """Move forwards to ``to`` (never back)."""
        self.now = max(self.now, to)
        return self.now


def on_event_time(node: Node, clock: EventClock) -> None:
    """The node's response ticks, executor, evidence exports and analysts' desk all read ``clock``."""
    node.response.clock = clock
    node.executor.carrier.clock = clock
    node.evidence.clock = clock
    node.desk.clock = clock
