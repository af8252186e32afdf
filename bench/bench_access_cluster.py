"""Access decisions on a cluster API node (issue 17.3) against the embedded node, in the same run:
``POST /v1/access/decide`` over loopback, paced, from one keep-alive client. The embedded node logs
each decision to its SQLite log; the API node answers after JetStream acknowledged the decision on
``stk.in.<site>`` (the worker owning the site commits it), from the facts the worker publishes.

    python -m bench access_cluster          # 200 requests/s for 10 s on each

Needs PostgreSQL on 127.0.0.1:5432 (a throwaway database) and the ``nats-server`` binary (a server of
its own on a free port).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.bench_access_http import paced_decisions
from bench.cluster_rig import throwaway_db
from bench.harness import DEMO_SITE, demo_data_dir, free_port, percentile, print_table, served
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.site import load_site


@contextmanager
def _processes(argvs: list[list[str]], env: dict[str, str]) -> Iterator[None]:
    procs = [subprocess.Popen(a, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for a in argvs]
    try:
        yield
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            p.wait(timeout=60)


def _paced(url: str, token: str, seconds: float, rate: float, credentials: list[str]) -> dict[str, Any]:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for _ in range(200):  # warm up
            client.post("/v1/access/decide", json={"site": "dc-demo", "door": "D-FLOOR",
                                                   "credential": credentials[0], "factors": [{"type": "badge"}]})
        latencies, results = paced_decisions(
            client, credentials, seconds, rate, random.Random(3),
            classify=lambda a: "stale deny" if "stockade:stale-facts" in a["policies"] else str(a["result"]))
    return {"requests": len(latencies), "p50_ms": percentile(latencies, 50) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000, "results": results}


def _wait_fresh(url: str, token: str, credential: str) -> None:
    """Until the API node holds the worker's facts (before, every answer is a stale deny)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            r = httpx.post(url + "/v1/access/decide", headers={"Authorization": f"Bearer {token}"}, timeout=5,
                           json={"site": "dc-demo", "door": "D-FLOOR", "credential": credential,
                                 "factors": [{"type": "badge"}]})
            if r.status_code == 200 and "stockade:stale-facts" not in r.json()["policies"]:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API node did not get the worker's facts within 120 s")


def main(seconds: float = 10, rate: float = 200) -> dict[str, Any]:
    if shutil.which("nats-server") is None:
        raise RuntimeError("nats-server is not installed")
    credentials = [c for p in load_site(DEMO_SITE).people for c in p.credentials]
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as d, throwaway_db() as dsn:
        root = Path(d)
        token = demo_data_dir(root / "embedded", ("pep",), "bench controller")
        with served(root / "embedded") as url:
            embedded = _paced(url, token, seconds, rate, credentials)
        data = root / "cluster"
        (data / "sites").mkdir(parents=True)
        shutil.copy(DEMO_SITE, data / "sites" / "dc-demo.yaml")
        node = Node.open(Settings(data_dir=data, postgres_dsn=dsn))  # the keys and the schema
        ctoken, record = new_key(("pep",), label="bench controller")
        node.store.put_key(record)
        node.stop()
        nats_port, api_port = free_port(), free_port()
        env = {**os.environ, "STOCKADE_POSTGRES_DSN": dsn, "STOCKADE_LEDGER_STATE_DIR": str(root / "state"),
               "STOCKADE_CLUSTER": json.dumps({"nats_url": f"nats://127.0.0.1:{nats_port}"})}
        stockade = [sys.executable, "-m", "stockade", "serve", "--data-dir", str(data)]
        with _processes([["nats-server", "-js", "-a", "127.0.0.1", "-p", str(nats_port), "-sd", str(root / "js")],
                         [*stockade, "--role", "worker"], [*stockade, "--role", "api", "--port", str(api_port)]],
                        env):
            api = f"http://127.0.0.1:{api_port}"
            _wait_fresh(api, ctoken, credentials[0])
            cluster = _paced(api, ctoken, seconds, rate, credentials)
    ratio = cluster["p50_ms"] / embedded["p50_ms"]
    def work(f: dict[str, Any]) -> str:
        return f"{f['requests']:,} decisions: " + ", ".join(f"{k} {v}" for k, v in sorted(f["results"].items()))

    print_table(f"POST /v1/access/decide over loopback, {rate:.0f} requests/s for {seconds:.0f} s each", [
        ("embedded p50 / p99", f"{embedded['p50_ms']:.2f} / {embedded['p99_ms']:.2f} ms", work(embedded)),
        ("cluster API node p50 / p99", f"{cluster['p50_ms']:.2f} / {cluster['p99_ms']:.2f} ms", work(cluster)),
        ("p50 ratio, cluster / embedded", f"{ratio:.2f}×", "the cluster's adds a JetStream publish acknowledgement"),
    ])
    return {"embedded": embedded, "cluster": cluster, "p50_ratio": ratio}
