"""The fan-out of committed events: each listener gets what it asked for, in log order, one wake-up per
loop; a slow listener loses its oldest events and is told how many."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from stockade.events import Alert, Door, Envelope, Tick
from stockade.events.model import Entities
from stockade.node.broadcast import Broadcaster, Missed

T = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
TICK = Tick(id="t", ts=datetime(2026, 11, 21, tzinfo=UTC), site="dc-demo", source="bus")


def door(i: int, site: str = "dc-demo") -> Envelope:
    return Door(id=f"d{i}", ts=T, site=site, source="ctl-1", door="D-HV", state="open")


def alert_like(i: int) -> Envelope:
    return Alert(id=f"a{i}", ts=T, site="dc-demo", source="stockade:engine", detector="STK-DOR-001",
                 severity="high", summary="forced", evidence=[f"d{i}"], entities=Entities())


class CountingLoop:
    """Stands for an event loop: counts wake-ups and runs their callbacks at once."""

    def __init__(self) -> None:
        self.wakeups = 0

    def call_soon_threadsafe(self, fn: Any, *args: Any) -> None:
        self.wakeups += 1
        fn(*args)


def drain(queue: asyncio.Queue[tuple[int, Envelope]]) -> list[int]:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait()[0])
    return out


def test_each_listener_gets_its_sites_and_kinds_in_log_order_with_one_wakeup_per_loop() -> None:
    b = Broadcaster()
    loop = CountingLoop()
    every = b.subscribe(loop, None, None)  # type: ignore[arg-type]  # a stand-in loop
    alerts = [b.subscribe(loop, {"dc-demo"}, {"alert"}) for _ in range(50)]  # type: ignore[arg-type]
    both = b.subscribe(loop, {"dc-demo"}, {"alert", "door"})  # type: ignore[arg-type]
    elsewhere = b.subscribe(loop, {"dc-other"}, None)  # type: ignore[arg-type]
    batch = [(1, door(1)), (2, alert_like(2)), (3, door(3)), (4, alert_like(4))]
    b.publish("dc-demo", batch)
    assert loop.wakeups == 1  # 52 listeners on one loop: one wake-up for the batch
    assert drain(every.queue) == [1, 2, 3, 4]
    assert all(drain(a.queue) == [2, 4] for a in alerts)
    assert drain(both.queue) == [1, 2, 3, 4]
    assert drain(elsewhere.queue) == []
    b.publish("dc-demo", [(5, door(5))])
    assert loop.wakeups == 2  # only the listeners that want a door
    assert all(drain(a.queue) == [] for a in alerts)


def test_a_closed_loop_unsubscribes_its_listeners() -> None:
    b = Broadcaster()

    class Closed:
        def call_soon_threadsafe(self, fn: Any, *args: Any) -> None:
            raise RuntimeError("Event loop is closed")

    b.subscribe(Closed(), None, None)  # type: ignore[arg-type]  # a stand-in loop
    b.publish("dc-demo", [(1, door(1))])
    assert b.listeners() == 0



def test_each_gap_is_told_once_before_the_events_after_it() -> None:
    async def listen() -> list[object]:
        broadcaster = Broadcaster()
        sub = broadcaster.subscribe(asyncio.get_running_loop(), size=3)
        got: list[object] = []
        broadcaster.publish("dc-demo", [(seq, TICK) for seq in range(1, 6)])  # 1, 2 dropped
        await asyncio.sleep(0)
        got += [await sub.get() for _ in range(4)]
        broadcaster.publish("dc-demo", [(seq, TICK) for seq in range(6, 10)])  # 6 dropped
        await asyncio.sleep(0)
        got += [await sub.get() for _ in range(4)]
        broadcaster.unsubscribe(sub)
        return [m if isinstance(m, Missed) else m[0] for m in got]

    assert asyncio.run(listen()) == [Missed(2), 3, 4, 5, Missed(1), 7, 8, 9]


def test_a_listener_that_keeps_up_is_told_nothing() -> None:
    async def listen() -> list[object]:
        broadcaster = Broadcaster()
        sub = broadcaster.subscribe(asyncio.get_running_loop(), kinds={"tick"})
        broadcaster.publish("dc-demo", [(1, TICK), (2, TICK)])
        await asyncio.sleep(0)
        return [await sub.get() for _ in range(2)]

    assert [seq for seq, _ in asyncio.run(listen())] == [1, 2]
