"""The in-process bus: FIFO, and bounded: past ``max_events`` a site's batches are read back from its
committed log, each event once and in order, however publishing and taking interleave."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stockade.events import Envelope
from stockade.events.model import Device
from stockade.node.ingest import Principal
from stockade.pipeline.bus import InProcessBus
from stockade.store.base import EventQuery
from tests.integration.test_recovery import BATCH, demo_events, outputs, straight_run
from tests.node_fixtures import make_node

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def beat(site: str, seq: int) -> Envelope:
    return Device(id=f"{site}-{seq}", ts=T0, site=site, source="ctl-1", device="ctl-1", status="heartbeat")


@dataclass(frozen=True)
class Row:
    seq: int
    entry: bytes
    event: Envelope


@dataclass
class Log:
    """A committed log: a batch is here before it is published, as the node's ingest does."""

    rows: dict[str, list[Row]] = field(default_factory=dict)

    def commit(self, site: str, n: int) -> list[tuple[int, Envelope]]:
        rows = self.rows.setdefault(site, [])
        batch = [Row(len(rows) + i + 1, b"{}", beat(site, len(rows) + i + 1)) for i in range(n)]
        rows.extend(batch)
        return [(r.seq, r.event) for r in batch]

    def read(self, site: str, after_seq: int = 0, batch: int = 10_000) -> Iterator[Row]:
        yield from (r for r in self.rows.get(site, []) if r.seq > after_seq)

    def last_seq(self, site: str) -> int:
        return len(self.rows.get(site, []))


def test_an_unbounded_bus_hands_over_batches_in_order() -> None:
    bus = InProcessBus()
    for n in range(3):
        bus.publish("a", [(n + 1, beat("a", n + 1))], [b"{}"])
    assert [d.events[0][0] for d in iter(lambda: bus.get(0.0), None)] == [1, 2, 3]
    assert bus.depth() == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.tuples(st.sampled_from("ab"), st.integers(1, 7)), st.just("take")), max_size=60),
       st.integers(1, 12))
def test_a_bounded_bus_delivers_every_committed_event_once_and_in_order(ops: list[object], bound: int) -> None:
    log = Log()
    bus = InProcessBus(log, bound)
    got: dict[str, list[int]] = {"a": [], "b": []}

    def take() -> bool:
        d = bus.get(0.0)
        if d is not None:
            got[d.site].extend(seq for seq, _ in d.events)
        return d is not None

    for op in ops:
        if op == "take":
            take()
        else:
            site, n = op  # type: ignore[misc]  # a (site, count) tuple: the strategy's other branch
            events = log.commit(site, n)
            bus.publish(site, events, [b"{}"] * n)
            assert bus._held <= bound, "the queue never holds more than its bound"
    while bus.depth():
        take()
    for site in "ab":
        assert got[site] == list(range(1, log.last_seq(site) + 1))


def test_a_node_whose_engine_fell_far_behind_reads_the_rest_from_its_log(tmp_path: Path) -> None:
    """Ingest while nobody takes from the bus (the engine as good as stopped), past a bound of 500
    events; then the engine catches up from the log, and the alerts and incidents are the straight run's."""
    lines = demo_events()[:6_000]
    expected = straight_run(tmp_path / "straight", lines)
    node = make_node(tmp_path / "bounded")
    node.bus = node.ingestor.bus = InProcessBus(node.store, max_events=500)
    for i in range(0, len(lines), BATCH):
        node.ingestor.ingest_lines(lines[i : i + BATCH], Principal.operator())
        assert node.bus._held <= 500
    assert node.bus.depth() >= 1, "the bus overflowed: the site's log is to be read"
    while node.bus.depth():
        node.drain()
    assert node.wait_for_engine("dc-demo", 30)
    assert outputs(node) == expected
    assert node.store.query(EventQuery("dc-demo", kinds=("alert",), limit=10)), "the demo day raises alerts"
    node.stop()
