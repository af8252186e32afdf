"""A NATS JetStream server of the test's own (on a free port) and a throwaway PostgreSQL database."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from tests.serve import free_port

T = TypeVar("T")


def until(what: str, check: Callable[[], T], guard: float = 180.0, every: float = 0.05) -> T:
    """Wait for ``check()`` to be true and return what it gave; fail naming ``what`` after ``guard``
    seconds (a guard against a hang on a loaded machine, never a speed check)."""
    deadline = time.monotonic() + guard
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(every)
    pytest.fail(f"{what}: not within {guard} s")


@dataclass
class NatsServer:
    port: int
    store_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                time.sleep(0.05)
            else:
                return
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@contextmanager
def nats_server(store_dir: Path) -> Iterator[NatsServer]:
    if shutil.which("nats-server") is None:
        pytest.fail("nats-server is not installed (the system package nats-server)")
    server = NatsServer(free_port(), store_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
