"""A cluster on this machine for ``bench cluster``: a throwaway database, a NATS server of its own, API
nodes and workers as ``stockade serve`` processes, and what /proc says about each (CPU, memory)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import nats
import psycopg

from bench.harness import DEMO_SITE, free_port
from bench.mix import MIX, SOURCES
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.store.postgres import PostgresStore

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
TICK = os.sysconf("SC_CLK_TCK")
GUARD_S = 300.0  # a guard against a hang, never a measured wait


def until(what: str, check: Callable[[], bool], guard: float = GUARD_S) -> None:
    deadline = time.monotonic() + guard
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {guard:.0f} s")
        time.sleep(0.02)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu_s(pid: int) -> float:
    """:func:`cpu_s` of a process and its children (the embedded node's engine process)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        children = []
    return cpu_s(pid) + sum(tree_cpu_s(int(c)) for c in children)


def load_average() -> float:
    """The machine's 1-minute load average (other processes share the cores)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


@contextmanager
def throwaway_db() -> Iterator[str]:
    name = f"stockade_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        yield f"host=127.0.0.1 port=5432 user=postgres dbname={name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)'.encode())


def site_ids(n: int) -> list[str]:
    return [f"dc-{i:03d}" for i in range(n)]


def data_dir(root: Path, sites: list[str], dsn: str) -> dict[str, str]:
    """Site files (the demo site under other ids), keys, the schema; returns each site's ingest token."""
    (root / "sites").mkdir(parents=True)
    text = DEMO_SITE.read_text(encoding="utf-8")
    for site in sites:
        (root / "sites" / f"{site}.yaml").write_text(text.replace("site: dc-demo", f"site: {site}", 1))
    Node.open(Settings(data_dir=root, postgres_dsn=dsn, ledger_state_dir=root / "state")).stop()
    store = PostgresStore.open(dsn)
    tokens = {}
    for site in sites:
        tokens[site], record = new_key(("ingest",), site=site, sources=tuple(sorted(set(SOURCES.values()))),
                                       kinds=tuple(k for k, _ in MIX), label="bench")
        store.put_key(record)
    store.close()
    return tokens


@dataclass
class Rig:
    """The processes of one cluster; ``sql`` reads its database."""

    root: Path
    dsn: str
    partitions: int
    lease_s: float = 6.0
    nats: subprocess.Popen[bytes] | None = None
    nats_url: str = ""
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    apis: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)
    _conn: psycopg.Connection[tuple[object, ...]] | None = None

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        if self._conn is None:
            self._conn = psycopg.connect(self.dsn, autocommit=True)
        return self._conn.execute(query.encode(), params).fetchall()

    def start_nats(self) -> None:
        port = free_port()
        self.nats = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port),
                                      "-sd", str(self.root / "nats")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.nats_url = f"nats://127.0.0.1:{port}"
        until("nats-server starts", lambda: _connects(port))

    def _env(self, worker: str | None = None) -> dict[str, str]:
        cluster: dict[str, object] = {"nats_url": self.nats_url, "partitions": self.partitions,
                                      "lease_s": self.lease_s}
        if worker:
            cluster["worker_id"] = worker
        return {**os.environ, "STOCKADE_SITES": "[]", "STOCKADE_POSTGRES_DSN": self.dsn,
                "STOCKADE_LEDGER_STATE_DIR": str(self.root / "state"), "STOCKADE_CLUSTER": json.dumps(cluster)}

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        self._logs.append((self.root / f"{name}.log").open("ab"))
        return subprocess.Popen([sys.executable, "-m", "stockade", "serve", *argv, "--data-dir", str(self.root)],
                                env=env, stdout=subprocess.DEVNULL, stderr=self._logs[-1])

    def start_worker(self, name: str) -> None:
        self.workers[name] = self._spawn(name, ["--role", "worker"], self._env(name))

    def start_api(self) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        self.apis.append((url, self._spawn(f"api-{port}", ["--role", "api", "--port", str(port)], self._env())))
        until(f"API node {url} answers", lambda: _healthy(url))
        return url

    def leases(self) -> dict[str, str]:
        async def read() -> dict[str, str]:
            nc = await nats.connect(self.nats_url)
            try:
                kv = await nc.jetstream().key_value("stockade-leases")
                keys = await kv.keys()
                return {k: ((await kv.get(k)).value or b"").decode() for k in keys}
            except nats.js.errors.Error:
                return {}
            finally:
                await nc.close()
        return asyncio.run(read())

    def consumers(self, stream: str = "STOCKADE") -> int:
        async def read() -> int:
            nc = await nats.connect(self.nats_url)
            try:
                return (await nc.jetstream().stream_info(stream)).state.consumer_count or 0
            finally:
                await nc.close()
        return asyncio.run(read())

    def settled(self, sites: list[str]) -> bool:
        """Every site claimed by the live worker whose lease holds its partition."""
        from stockade.connectors.nats.mapping import lease_key, partition_of

        leases = self.leases()
        owners = {str(s): str(o) for s, o in self.sql("SELECT site, owner FROM site_fence")}
        alive = {n for n, p in self.workers.items() if p.poll() is None}
        return all(owners.get(s) in alive and leases.get(lease_key(partition_of(s, self.partitions))) == owners[s]
                   for s in sites)

    def pg_backends(self) -> list[int]:
        return [int(str(r[0])) for r in self.sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]

    def stop(self) -> None:
        procs = [*self.workers.values(), *(p for _, p in self.apis)]
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.nats is not None:
            self.nats.terminate()
            self.nats.wait(10)
        if self._conn is not None:
            self._conn.close()
        for f in self._logs:
            f.close()


@contextmanager
def rig(root: Path, sites: list[str], partitions: int, lease_s: float = 6.0
        ) -> Iterator[tuple[Rig, dict[str, str]]]:
    """A fresh database, data directory and NATS server; yields the rig and each site's ingest token."""
    if root.exists():
        shutil.rmtree(root)
    with throwaway_db() as dsn:
        token = data_dir(root, sites, dsn)
        r = Rig(root, dsn, partitions, lease_s)
        try:
            r.start_nats()
            yield r, token
        finally:
            r.stop()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True
