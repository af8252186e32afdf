"""``stockade cluster up``: a local cluster (API nodes and workers as processes) for development and tests.

    $ stockade cluster up --api 2 --workers 3 --data-dir ./cluster-data
    api-1   http://127.0.0.1:8700   pid 4242
    worker  w1 ...
    (Ctrl-C or SIGTERM stops them all, workers releasing their leases)

Every process is ``stockade serve --role api|worker`` on the same data
directory (its keys and site files), the node settings' PostgreSQL
(``postgres_dsn``) and NATS (``[cluster] nats_url``). A process that exits on
its own is reported and the rest are stopped: the command ends with its status.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from typing import Annotated

import typer

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, err, fail, settings_for
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.seal import load_or_create_row_seal

cluster_app = typer.Typer(help="A local cluster on NATS JetStream and PostgreSQL (docs/cluster.md).",
                          no_args_is_help=True)
app.add_typer(cluster_app, name="cluster")
STOP_GUARD_S = 60.0


@cluster_app.command("up")
def up(
    api: Annotated[int, typer.Option(min=0, max=16, help="API nodes (ports from --port up)")] = 2,
    workers: Annotated[int, typer.Option(min=0, max=64, help="workers")] = 3,
    port: Annotated[int, typer.Option(min=1, max=65535, help="the first API node's port")] = 8700,
    data_dir: DataDir = None,
) -> None:
    """Start API nodes and workers against the configured NATS and PostgreSQL; stop them on Ctrl-C."""
    settings = settings_for(data_dir)
    if not settings.postgres_dsn:
        raise fail("a cluster needs PostgreSQL: set postgres_dsn (STOCKADE_POSTGRES_DSN or stockade.toml)")
    keys = settings.data_dir / "keys"
    load_or_create_log_keys(keys)  # made once here, not raced by the processes
    load_or_create_row_seal(keys)
    base = [sys.executable, "-m", "stockade", "serve", "--data-dir", str(settings.data_dir)]
    cluster = settings.cluster.model_dump()
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for n in range(1, workers + 1):
            env = {**os.environ, "STOCKADE_CLUSTER": json.dumps({**cluster, "worker_id": f"w{n}"})}
            procs.append((f"worker w{n}", _spawn([*base, "--role", "worker"], env)))
        for n in range(api):
            env = {**os.environ, "STOCKADE_CLUSTER": json.dumps(cluster)}
            procs.append((f"api-{n + 1} http://{settings.host}:{port + n}",
                          _spawn([*base, "--role", "api", "--port", str(port + n)], env)))
        for name, proc in procs:
            console.print(f"{name:32} pid {proc.pid}", highlight=False)
        console.print(f"NATS {settings.cluster.nats_url}, {settings.cluster.partitions} partitions; "
                      "Ctrl-C stops the cluster", highlight=False)
        code = 0
        while not stopping.wait(0.5):
            gone = [(name, proc.returncode) for name, proc in procs if proc.poll() is not None]
            if gone:
                for name, rc in gone:
                    err.print(f"{name} exited with status {rc}; stopping the cluster", highlight=False)
                code = 1
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop(procs)
    console.print("cluster stopped")
    if code:
        raise typer.Exit(code)


def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """This interpreter running ``stockade serve``: no shell, and no argument from outside but numbers."""
    return subprocess.Popen(argv, env=env)  # noqa: S603 - argv is sys.executable, our module and our options


def _stop(procs: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    for _, proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for name, proc in procs:
        try:
            proc.wait(STOP_GUARD_S)
        except subprocess.TimeoutExpired:
            err.print(f"{name} did not stop within {STOP_GUARD_S:g} s of SIGTERM: killed", highlight=False)
            proc.kill()
            proc.wait()
