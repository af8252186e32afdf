"""A whole node with the dashboard on a free 127.0.0.1 port, and the system Chromium driven by Playwright.

The browser is Debian's ``/usr/bin/chromium`` (installed by ``make test``), never a
downloaded one; it starts with background networking off, and every test checks
that no request leaves 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from stockade.api.app import create_app
from stockade.node.runtime import Node
from stockade.web.app import mount_dashboard
from stockade.web.session import Sessions
from tests.conftest import CHROMIUM
from tests.node_fixtures import make_node
from tests.serve import free_port
from tests.web_fixtures import Clock, desk_keys

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"  # written by every run; not tracked
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed when they are done: Playwright's sync API holds an
    event loop running on the main thread while it is open, and every later ``asyncio.run`` (the NATS
    and broadcast tests) would fail with "cannot be called from a running event loop"."""
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield context.new_page()
    context.close()



@dataclass
class Desk:
    url: str
    node: Node
    keys: dict[str, str]
    clock: Clock
    outside: list[str] = field(default_factory=list)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    node = make_node(tmp_path / "data", checkpoint_interval_s=0.5)
    keys = desk_keys(node)
    clock = Clock()
    app = create_app(node)
    mount_dashboard(app, sessions=Sessions(timedelta(minutes=15), clock=clock))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.05)
    assert node.recovery.wait(30), "the node should have recovered its empty log"  # until then every page is a 503
    try:
        yield Desk(f"http://127.0.0.1:{port}", node, keys, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def save_screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


__all__ = ["ARGS", "Desk", "save_screenshot"]
