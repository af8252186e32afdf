"""A node with the demo site, the dashboard mounted, and a key of each kind."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.node.runtime import Node
from stockade.web.app import mount_dashboard
from stockade.web.session import Sessions
from tests.node_fixtures import door_line, make_node, wait_projected
from tests.web_fixtures import Clock, desk_keys


@dataclass
class Desk:
    client: TestClient
    node: Node
    keys: dict[str, str]
    clock: Clock

    def sign_in(self, name: str) -> TestClient:
        r = self.client.post("/ui/login", data={"key": self.keys[name]}, follow_redirects=False)
        assert r.status_code == 303, r.text
        return self.client

    def csrf(self, path: str = "/ui/") -> str:
        page = self.client.get(path)
        found = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
        assert found, "the page carries no CSRF token"
        return found.group(1)

    def post_events(self, *lines: bytes) -> None:
        r = self.client.post("/v1/events", content=b"\n".join(lines),
                             headers={"Authorization": f"Bearer {self.keys['ingest']}",
                                      "Content-Type": "application/x-ndjson"})
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] == len(lines), r.text
        wait_projected(self.node, "dc-demo")

    def forced_door(self, n: int = 1) -> None:
        self.post_events(*(door_line(f"forced-{i}", state="forced", door="D-HV") for i in range(n)))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    node = make_node(tmp_path / "data")
    keys = desk_keys(node)
    clock = Clock()
    app = create_app(node)
    mount_dashboard(app, sessions=Sessions(timedelta(minutes=15), clock=clock))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert node.recovery.wait(30), "the node should have recovered its empty log"  # until then: 503s
        yield Desk(client, node, keys, clock)
