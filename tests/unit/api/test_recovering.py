"""While a node started in the background rebuilds its access facts, only /healthz answers; every
other route is a 503 with Retry-After (no decision on half the facts, no event folded out of order)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from stockade.api.app import create_app
from tests.node_fixtures import make_node


def test_only_healthz_answers_until_the_node_serves(tmp_path: Path) -> None:
    node = make_node(tmp_path)
    try:
        with TestClient(create_app(node, start_node=False)) as client:
            for path in ("/v1/alerts", "/v1/events", "/v1/access/decide"):
                r = client.post(path) if path != "/v1/alerts" else client.get(path)
                assert r.status_code == 503
                assert r.headers["Retry-After"] == "2"
                assert "/healthz" in r.json()["detail"]
            assert client.get("/healthz").json()["status"] == "recovering"
            node.serving.set()
            assert client.get("/v1/alerts").status_code == 401  # past the gate: the key is checked
    finally:
        node.stop()
