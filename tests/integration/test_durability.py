"""A server killed with SIGKILL mid-stream loses no acknowledged event and leaves no hole.

A real ``stockade serve`` process takes batches from a client; it is killed
while batches are in flight, restarted on the same data directory, and the
client resends what was not acknowledged (as a real device would).
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import httpx
import msgspec

from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from tests.node_fixtures import DEMO_SITE, now_iso
from tests.serve import free_port, kill_server, start_server, stop_server

BATCH = 200


def _batch(n: int) -> bytes:
    return b"\n".join(msgspec.json.encode({
        "id": f"b{n}-{i}", "kind": "door", "ts": now_iso(-30), "site": "dc-demo", "source": "ctl-1",
        "door": "D-HV", "state": "open" if i % 2 else "closed"}) for i in range(BATCH))


def test_sigkill_loses_no_acknowledged_event(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    shutil.copy(DEMO_SITE, data / "sites" / "dc-demo.yaml")
    node = Node.open(Settings(data_dir=data))
    token, record = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
    node.store.put_key(record)
    node.stop()
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    server = start_server(data, port)
    try:
        acked: set[str] = set()
        unacked: list[int] = []
        n = 0
        # the timeout guards against a hang; a slow answer on a loaded machine is not a lost one
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as client:
            while n < 40:
                if n == 12:
                    server.send_signal(signal.SIGKILL)  # mid-stream: the next requests fail
                    server.wait()
                try:
                    r = client.post("/v1/events", content=_batch(n))
                    assert r.status_code == 200
                    acked.update(x["id"] for x in r.json()["results"] if x["status"] == "accepted")
                except httpx.TransportError:
                    unacked.append(n)
                    if server.poll() is not None and len(unacked) >= 3:  # dead, and a few requests saw it
                        server = start_server(data, port)
                n += 1
            for m in unacked:  # the device retries what it never saw acknowledged
                r = client.post("/v1/events", content=_batch(m))
                assert r.status_code == 200
                acked.update(x["id"] for x in r.json()["results"] if x["status"] in ("accepted", "duplicate"))
        stop_server(server)
    finally:
        kill_server(server)

    node = Node.open(Settings(data_dir=data))
    rows = list(node.store.read("dc-demo"))
    ids = [r.event.id for r in rows if r.event.kind == "door"]
    node.stop()
    assert unacked, "the kill should have interrupted at least one batch"
    assert acked <= set(ids), f"lost {len(acked - set(ids))} acknowledged events"
    assert len(ids) == len(set(ids)), "an event was stored twice"
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1)), "the site's sequence has holes"
