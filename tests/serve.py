"""Start a real ``stockade serve`` process for tests that kill it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "stockade", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        env={**os.environ, "STOCKADE_SITES": "[]", **(env or {})},
    )
    deadline = time.monotonic() + 90  # a loaded 2-core machine; it answers 503 while it recovers
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise AssertionError("server did not start within 90 s")


STOP_GUARD_S = 180  # a guard against a hang, not a speed check: a loaded machine stops slowly


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM and wait for a clean exit; a process that hangs is killed (never left to later tests)."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GUARD_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"stockade serve did not stop within {STOP_GUARD_S} s of SIGTERM") from None


def kill_server(proc: subprocess.Popen[bytes]) -> None:
    """Make sure a test's server is gone, whatever happened in the test."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
