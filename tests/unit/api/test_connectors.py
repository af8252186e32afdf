"""``GET /v1/connectors`` and the connector metrics: state, refusals, the webhook outbox and dead letters."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.node.keys import new_key
from stockade.response.ports import Notification
from tests.mqtt_helpers import free_port
from tests.node_fixtures import make_node


def test_status_and_metrics_show_the_outbox_and_dead_letters(tmp_path: Path) -> None:
    port = free_port()  # nobody listens: every attempt fails
    node = make_node(tmp_path / "data", connectors={"webhooks": {
        "destinations": {"desk": {"url": f"http://127.0.0.1:{port}/", "secret": "whsec_" + "QUJD" * 8,
                                  "timeout_s": 0.5}},
        "give_up_after_s": 0.001, "poll_s": 30}})
    token, record = new_key(("read",))
    node.store.put_key(record)
    with TestClient(create_app(node)) as client:
        hooks = node.connectors.webhooks
        assert hooks is not None
        hooks.notify("intent-1", Notification("dc-demo", "desk", "hello"))
        hooks.deliver_due()  # the one attempt fails, and the message is already older than give_up_after_s
        auth = {"Authorization": f"Bearer {token}"}
        body = client.get("/v1/connectors", headers=auth).json()
        (webhooks,) = body["connectors"]
        assert webhooks["name"] == "webhooks"
        assert webhooks["errors"] == 1
        assert "ConnectError" in webhooks["last_error"] or "refused" in webhooks["last_error"].lower()
        assert body["dead_letters"][0]["id"] == "intent-1"
        assert body["outbox"] == [{"destination": "desk", "status": "dead", "count": 1}]
        metrics = client.get("/metrics", headers=auth).text
        assert 'stockade_webhook_outbox{destination="desk",status="dead"} 1.0' in metrics
        assert 'stockade_connector_errors_total{connector="webhooks"} 1.0' in metrics
        assert client.get("/v1/connectors").status_code == 401
