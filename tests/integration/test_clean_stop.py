"""SIGTERM or Ctrl-C to a running ``stockade serve`` process group stops it cleanly: status 0, no
traceback, and the engine's final snapshot in the store (the node stops first and tells its worker,
which ignores SIGINT and waits, to snapshot and exit)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from stockade.node.keys import new_key
from stockade.node.runtime import open_store
from stockade.node.settings import Settings
from stockade.pipeline.build import build_engine
from stockade.site import load_site
from tests.node_fixtures import DEMO_SITE, door_line, make_node
from tests.serve import free_port


def _serve(data: Path, port: int, stderr: Path) -> subprocess.Popen[bytes]:
    with stderr.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "stockade", "serve", "--data-dir", str(data), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,  # its own process group
            env={**os.environ, "STOCKADE_SITES": "[]"},
        )


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_process_group_stops_cleanly_with_a_final_snapshot(tmp_path: Path,
                                                                           sig: signal.Signals) -> None:
    data = tmp_path / "data"
    node = make_node(data)
    token, record = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
    node.store.put_key(record)
    node.stop()
    port = free_port()
    stderr = tmp_path / "stderr.txt"
    proc = _serve(data, port, stderr)
    try:
        _wait_ready(port, proc)
        body = b"\n".join(door_line(f"stop-{i}", state="forced" if i % 10 == 0 else "open") for i in range(50))
        r = httpx.post(f"http://127.0.0.1:{port}/v1/events", content=body, timeout=30,
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        time.sleep(1.0)  # let the worker apply some of it
        os.killpg(proc.pid, sig)
        code = proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    errors = stderr.read_text(encoding="utf-8", errors="replace")
    assert code == 0, errors
    assert "Traceback" not in errors
    assert "EOFError" not in errors
    store = open_store(Settings(data_dir=data))
    saved = store.load_snapshot("dc-demo")
    store.close()
    assert saved is not None, "the worker should have written a final snapshot"
    seq, snapshot = saved
    assert seq > 0
    build_engine(load_site(DEMO_SITE)).restore(snapshot)  # and it is one the engine takes back
