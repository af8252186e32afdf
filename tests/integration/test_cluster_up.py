"""``stockade cluster up`` starts API nodes and workers that work together, and stops them all on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from stockade.node.keys import new_key
from stockade.store.postgres import PostgresStore
from tests.integration.cluster_fixtures import nats_server, until
from tests.integration.pg import throwaway_database
from tests.node_fixtures import door_line, make_node
from tests.serve import free_port

pytestmark = [pytest.mark.nats, pytest.mark.postgres]
GUARD_S = 120  # against a hang on a loaded machine; nothing is timed




def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


def test_cluster_up_runs_and_stops_an_api_node_and_a_worker(tmp_path: Path) -> None:
    with throwaway_database("stockade_up") as dsn, nats_server(tmp_path / "nats") as nats:
        data = tmp_path / "data"
        make_node(data, postgres_dsn=dsn).stop()
        token, record = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
        store = PostgresStore.open(dsn)
        store.put_key(record)
        port = free_port()
        env = {**os.environ, "STOCKADE_SITES": "[]", "STOCKADE_POSTGRES_DSN": dsn,
               "STOCKADE_LEDGER_STATE_DIR": str(tmp_path / "state"),
               "STOCKADE_CLUSTER": json.dumps({"nats_url": nats.url, "partitions": 2, "lease_s": 3})}
        up = subprocess.Popen([sys.executable, "-m", "stockade", "cluster", "up", "--api", "1", "--workers", "1",
                               "--port", str(port), "--data-dir", str(data)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            until("the API node answers", lambda: _answers(base + "/healthz"))
            answer = httpx.post(base + "/v1/events", content=door_line("up-1"), timeout=30,
                                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
            assert answer.json()["accepted"] == 1, answer.text
            until("the worker commits it", lambda: store.get("dc-demo", "up-1") is not None)
            up.send_signal(signal.SIGTERM)
            out, _ = up.communicate(timeout=GUARD_S)
        finally:
            if up.poll() is None:
                up.kill()
                up.communicate()
            store.close()
        text = out.decode()
        assert up.returncode == 0, text
        assert "worker w1" in text
        assert "cluster stopped" in text
        assert not _answers(base + "/healthz"), "the API node is stopped with the cluster"
