"""Two API nodes and three workers as processes; the worker owning the site is killed with SIGKILL
mid-stream. Another takes its partition, and the end is the embedded run's: every acknowledged event
logged once, the same alerts and incidents, and ``stockade ledger verify`` passing on the site."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import msgspec
import nats
import pytest
from typer.testing import CliRunner

from stockade.cli import app as cli_app
from stockade.connectors.nats.mapping import lease_key, partition_of
from stockade.events.ids import is_output_id
from stockade.ledger.keys import load_or_create_log_keys
from stockade.node.keys import new_key
from stockade.store import EventQuery
from stockade.store.postgres import PostgresStore
from tests.integration.cluster_fixtures import nats_server, until
from tests.integration.pg import throwaway_database
from tests.integration.test_recovery import demo_events, straight_run
from tests.node_fixtures import make_node
from tests.serve import free_port

pytestmark = [pytest.mark.nats, pytest.mark.postgres, pytest.mark.slow]
BATCH = 500
PARTITIONS = 4
LEASE_S = 4.0
GUARD_S = 180  # a guard against a hang on a loaded machine, not a speed check




class Cluster:
    def __init__(self, data: Path, dsn: str, nats_url: str, state: Path) -> None:
        self.data, self.dsn, self.nats_url = data, dsn, nats_url
        self.env = {**os.environ, "STOCKADE_SITES": "[]", "STOCKADE_POSTGRES_DSN": dsn,
                    "STOCKADE_SNAPSHOT_EVERY": "1000", "STOCKADE_LEDGER_STATE_DIR": str(state)}
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.apis: list[tuple[int, subprocess.Popen[bytes]]] = []
        self._logs: list[IO[bytes]] = []

    def _log(self, name: str) -> IO[bytes]:
        f = (self.data / f"{name}.log").open("wb")
        self._logs.append(f)
        return f

    def _cluster_env(self, worker: str | None = None) -> dict[str, str]:
        cluster = {"nats_url": self.nats_url, "partitions": PARTITIONS, "lease_s": LEASE_S}
        if worker is not None:
            cluster["worker_id"] = worker
        return {**self.env, "STOCKADE_CLUSTER": json.dumps(cluster)}

    def start_worker(self, name: str) -> None:
        self.workers[name] = subprocess.Popen(
            [sys.executable, "-m", "stockade", "serve", "--role", "worker", "--data-dir", str(self.data)],
            env=self._cluster_env(name), stdout=subprocess.DEVNULL, stderr=self._log(name))

    def start_api(self) -> str:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "stockade", "serve", "--role", "api", "--data-dir", str(self.data),
             "--port", str(port)], env=self._cluster_env(), stdout=subprocess.DEVNULL,
            stderr=self._log(f"api-{port}"))
        self.apis.append((port, proc))
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return httpx.get(base + "/healthz", timeout=0.5).status_code == 200
            except httpx.TransportError:
                return False
        until(f"API node on {port} answers", up)
        return base

    def stop_all(self) -> None:
        for proc in [*self.workers.values(), *(p for _, p in self.apis)]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.workers.values(), *(p for _, p in self.apis)]:
            try:
                proc.wait(GUARD_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for f in self._logs:
            f.close()
        self._logs.clear()

    def leases(self) -> dict[str, str]:
        async def read() -> dict[str, str]:
            nc = await nats.connect(self.nats_url)
            out: dict[str, str] = {}
            try:
                kv = await nc.jetstream().key_value("stockade-leases")
                for key in await kv.keys():
                    entry = await kv.get(key)
                    out[key] = (entry.value or b"").decode()
            except nats.js.errors.Error:
                return {}
            finally:
                await nc.close()
            return out
        return asyncio.run(read())


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with throwaway_database("stockade_failover") as dsn, nats_server(tmp_path / "nats") as server:
        data = tmp_path / "cluster"
        make_node(data, postgres_dsn=dsn).stop()  # the demo site, the keys, the schema
        c = Cluster(data, dsn, server.url, tmp_path / "state")
        try:
            yield c
        finally:
            c.stop_all()


def test_a_killed_worker_loses_nothing_and_the_end_is_the_embedded_runs(tmp_path: Path, cluster: Cluster,
                                                                       request: pytest.FixtureRequest) -> None:
    lines = demo_events()
    expected = straight_run(tmp_path / "straight", lines)
    assert any(i.startswith("inc-") for i in expected)
    sent = [msgspec.json.decode(line) for line in lines]
    token, record = new_key(("ingest",), site="dc-demo", sources=tuple(sorted({e["source"] for e in sent})),
                            kinds=tuple(sorted({e["kind"] for e in sent})))
    store = PostgresStore.open(cluster.dsn)
    request.addfinalizer(store.close)  # a failure part-way must not leave the connection to the next test
    store.put_key(record)

    for name in ("w1", "w2", "w3"):
        cluster.start_worker(name)
    apis = [cluster.start_api(), cluster.start_api()]
    until("three workers hold their shares", lambda: sum(k.startswith("worker.") for k in cluster.leases()) == 3
           and sum(k.startswith("partition.") for k in cluster.leases()) == PARTITIONS)
    key = lease_key(partition_of("dc-demo", PARTITIONS))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    acknowledged: list[str] = []

    def send(batches: range) -> None:
        for n, i in enumerate(batches):
            chunk = lines[i : i + BATCH]
            answer = httpx.post(apis[n % 2] + "/v1/events", content=b"\n".join(chunk), headers=headers, timeout=60)
            assert answer.status_code == 200, answer.text
            results = answer.json()["results"]
            assert all(r["status"] == "accepted" for r in results), results[:3]
            acknowledged.extend(r["id"] for r in results)

    half = len(lines) * 2 // 3 // BATCH * BATCH
    send(range(0, half, BATCH))
    until("the owner commits part of the stream", lambda: store.count("dc-demo") > half // 3)
    # read from one answer of the lease table: while the three workers still even out their shares,
    # a partition is for a moment nobody's (one lets it go, another takes it)
    owner = until("the site's partition has an owner", lambda: cluster.leases().get(key))
    cluster.workers[owner].send_signal(signal.SIGKILL)
    cluster.workers[owner].wait()
    send(range(half, len(lines), BATCH))
    until("another worker takes the partition", lambda: cluster.leases().get(key) not in (None, owner))

    def logged_inputs() -> list[str]:
        return [r.event.id for r in store.read("dc-demo") if not is_output_id(r.event.id)]

    until("every acknowledged event is logged", lambda: len(logged_inputs()) >= len(acknowledged))

    def found() -> set[str]:
        rows = store.query(EventQuery("dc-demo", kinds=("alert", "incident"), limit=1_000_000))
        return {r.event.id for r in rows}

    until("the alerts and incidents of the embedded run", lambda: found() >= expected)
    logged = logged_inputs()
    assert sorted(logged) == sorted(acknowledged), "every acknowledged event, and only those"
    assert len(logged) == len(set(logged)), "none twice"
    cluster.stop_all()  # SIGTERM: the new owner snapshots, checkpoints and releases its leases
    assert found() == expected
    store.close()
    keys = load_or_create_log_keys(cluster.data / "keys")
    origin = "stockade/dc-demo"
    vkeys = [a for v in keys.vkeys(origin) for a in ("--vkey", v)]
    url = f"postgresql://postgres@127.0.0.1:5432/{cluster.dsn.rpartition('dbname=')[2]}#dc-demo"
    result = CliRunner().invoke(cli_app, ["ledger", "verify", url, *vkeys])
    assert result.exit_code == 0, result.output
