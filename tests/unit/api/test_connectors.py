"""``GET /v1/connectors`` and the connector metrics: state, refusals, the webhook outbox and dead letters."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.connectors.webhook.mapping import notification_body
from stockade.connectors.webhook.outbox import OutboxEntry
from stockade.node.keys import new_key
from stockade.response.ports import Notification
from tests.mqtt_helpers import free_port
from tests.node_fixtures import make_node


def test_status_and_metrics_show_the_outbox_and_dead_letters(tmp_path: Path) -> None:
    port = free_port()  # nobody listens: every attempt fails
    node = make_node(tmp_path / "data", connectors={"webhooks": {
        "destinations": {"desk": {"url": f"http://127.0.0.1:{port}/", "secret": "whsec_" + "QUJD" * 8,
                                  "timeout_s": 0.5}},
        "give_up_after_s": 0.5, "poll_s": 30}})
    token, record = new_key(("read",))
    node.store.put_key(record)
    with TestClient(create_app(node)) as client:
        hooks = node.connectors.webhooks
        assert hooks is not None
        # added a second ago: its first attempt (by the running worker or by this call, whichever takes the
        # outbox first; the other waits and finds nothing due) fails and finds it older than give_up_after_s
        body = notification_body(Notification("dc-demo", "desk", "hello"), 0)
        hooks.outbox.outbox_add(OutboxEntry("intent-1", "desk", body, int((time.time() - 1) * 1_000_000)))
        hooks.deliver_due()
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
