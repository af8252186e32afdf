"""The live fan-out (node/broadcast.py): a slow listener loses its oldest events and is told how many."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from stockade.events import Tick
from stockade.node.broadcast import Broadcaster, Missed

TICK = Tick(id="t", ts=datetime(2026, 11, 21, tzinfo=UTC), site="dc-demo", source="bus")


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
