"""An engine killed mid-stream resumes from its snapshot and the log's tail, and ends with exactly
the alerts and incidents of a straight run over the same events."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import msgspec

from stockade.cli.demo import DEMO_SCENARIO, _past_weekday_start
from stockade.node.ingest import Principal
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.sim.run import ListSink, simulate
from stockade.sim.scenario import load_scenario
from stockade.store import EventQuery
from tests.node_fixtures import make_node
from tests.serve import free_port, start_server, stop_server

BATCH = 500


def demo_events() -> list[bytes]:
    sink = ListSink()
    simulate(_past_weekday_start(load_scenario(DEMO_SCENARIO)), sink)
    enc = msgspec.json.Encoder()
    return [enc.encode(e) for e in sink.events]


def outputs(node: Node) -> set[str]:
    rows = node.store.query(EventQuery("dc-demo", kinds=("alert", "incident"), limit=1_000_000))
    return {r.event.id for r in rows}


def straight_run(data: Path, lines: list[bytes]) -> set[str]:
    node = make_node(data)
    for i in range(0, len(lines), BATCH):
        node.ingestor.ingest_lines(lines[i : i + BATCH], Principal.operator())
        node.drain()
    found = outputs(node)
    node.stop()
    return found


def test_sigkill_then_resume_gives_the_straight_runs_alerts(tmp_path: Path) -> None:
    """The server runs its engine in a worker process; the straight run, in a thread."""
    lines = demo_events()
    expected = straight_run(tmp_path / "straight", lines)
    assert any(i.startswith("inc-") for i in expected), "the demo day should raise incidents"

    data = tmp_path / "crashed"
    node = make_node(data, snapshot_every=1000)
    sent = [msgspec.json.decode(line) for line in lines]  # the demo feed: every simulated source and kind
    token, record = new_key(("ingest",), site="dc-demo", sources=tuple(sorted({e["source"] for e in sent})),
                            kinds=tuple(sorted({e["kind"] for e in sent})))
    node.store.put_key(record)
    node.stop()
    port = free_port()
    half = len(lines) * 2 // 3
    server = start_server(data, port, {"STOCKADE_SNAPSHOT_EVERY": "1000"})
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as client:
        for i in range(0, half, BATCH):
            assert client.post("/v1/events", content=b"\n".join(lines[i : i + BATCH])).status_code == 200
        time.sleep(0.5)  # let the engine get part of the way, then kill it mid-stream
        server.send_signal(signal.SIGKILL)
        server.wait()
        server = start_server(data, port, {"STOCKADE_SNAPSHOT_EVERY": "1000"})
        for i in range(half, len(lines), BATCH):
            assert client.post("/v1/events", content=b"\n".join(lines[i : i + BATCH])).status_code == 200
    stop_server(server)  # stops the engine where it is; the tail waits in the log
    node = Node.open(Settings(data_dir=data))
    node.recover()
    found = outputs(node)
    snapshot = node.store.load_snapshot("dc-demo")
    node.stop()
    assert snapshot is not None, "the engine should have snapshotted"
    assert found == expected
