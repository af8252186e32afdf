"""docs/inventory.md: every curl example names a route the app serves, with the method it uses."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Match

from stockade.api.app import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "inventory.md"


def test_every_curl_example_is_a_route(tmp_path: Path) -> None:
    from tests.node_fixtures import make_node

    node = make_node(tmp_path / "data")
    app = create_app(node, start_node=False)
    text = DOC.read_text(encoding="utf-8").replace("\\\n", " ")
    commands = re.findall(r"^curl [^\n]*", text, re.M)
    assert len(commands) >= 9
    for command in commands:
        path = re.search(r"http://127\.0\.0\.1:8700(/[^ ?']*)", command)
        assert path is not None, command
        method = re.search(r"-X (\w+)", command)
        scope = {"type": "http", "path": path.group(1), "method": method.group(1) if method else "GET"}
        assert any(route.matches(scope)[0] == Match.FULL for route in app.routes), command
    for endpoint in ("/v1/epcis/capture", "/v1/epcis/events", "/v1/epcis/epcs/", "/v1/inventory/dc-demo/reconciliation",
                     "/v1/inventory/dc-demo/shrinkage"):
        assert endpoint in text
    node.stop()
