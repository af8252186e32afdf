"""The node ↔ worker messages are tagged msgspec structs: every one survives the wire, and bytes that
are not a message are refused, not run."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from stockade.engine.risk import RiskEntry, RiskSnapshot
from stockade.node import protocol as p

TS = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("message", [
    p.Start([p.SiteSpec("dc-demo", "{}")], 1000, p.StoreTarget("/tmp/x")),  # only a name
    p.Resume("dc-demo"),
    p.Resume("dc-demo", b"header\nbody", 42),
    p.Batch("dc-demo", [p.LogEntry(1, b'{"id":"a"}'), p.LogEntry(2, b"{}")]),
    p.Stop(),
])
def test_node_to_worker_messages_round_trip(message: p.ToWorker) -> None:
    assert p.decode_to_worker(p.encode(message)) == message


@pytest.mark.parametrize("message", [
    p.Resumed("dc-demo", 7, RiskSnapshot([RiskEntry("zone", "hv-cage", 25.0, TS)], 3), "the site file changed"),
    p.Applied("dc-demo", 9, [b"{}"], None),
    p.SnapshotTaken("dc-demo", 9, b"data"),
    p.BatchFailed("dc-demo", 1, 9, "Traceback ..."),
    p.Stopped(),
])
def test_worker_to_node_messages_round_trip(message: p.ToNode) -> None:
    assert p.decode_to_node(p.encode(message)) == message


def test_a_message_is_tagged_data_and_garbage_is_refused() -> None:
    wire = p.encode(p.Stop())
    assert msgspec.msgpack.decode(wire) == {"type": "stop"}
    with pytest.raises(msgspec.DecodeError):
        p.decode_to_worker(msgspec.msgpack.encode({"type": "exec", "code": "import os"}))
    with pytest.raises(msgspec.DecodeError):
        p.decode_to_node(p.encode(p.Stop()))  # a node→worker message is not one the node reads
