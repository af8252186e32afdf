"""Webhooks through the durable outbox: signed per Standard Webhooks, retried with backoff, in order per
destination after a receiver comes back, kept across a restart, dead-lettered when they are too old."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from stockade.connectors.webhook import mapping
from stockade.connectors.webhook.adapter import Webhooks
from stockade.connectors.webhook.config import WebhookSettings
from stockade.response.ports import FlowHold, Notification, PortError
from stockade.store.sqlite import SqliteStore
from tests.mqtt_helpers import free_port
from tests.unit.connectors.webhook.receiver import Receiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Clock:
    def __init__(self) -> None:
        self.t = 1_764_573_296.0

    def __call__(self) -> float:
        return self.t


def settings(url: str, **kw: object) -> WebhookSettings:
    return WebhookSettings.model_validate({"destinations": {"desk": {"url": url, "secret": SECRET, "timeout_s": 2},
                                                            "wms": {"url": url, "secret": SECRET, "timeout_s": 2}},
                                           "flow_destination": "wms", **kw})


def verify(headers: dict[str, str], body: bytes) -> None:
    ts = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    assert Webhook(SECRET).sign(headers["webhook-id"], ts, body.decode()) == headers["webhook-signature"]


def test_signature_is_standard_webhooks() -> None:
    body = b'{"test": 2432232314}'
    h = mapping.headers("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", 1674087231, body, SECRET)
    # the specification's construction, by hand: HMAC-SHA256 over "id.timestamp.body", key base64 after whsec_
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, b"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1674087231." + body, hashlib.sha256).digest()
    assert h["webhook-signature"] == "v1," + base64.b64encode(mac).decode()
    assert (h["webhook-id"], h["webhook-timestamp"]) == ("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "1674087231")


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    assert [mapping.retry_delay_s(n, 1, 300, 0.999) for n in (1, 2, 3, 10)] == pytest.approx([1, 2, 4, 300], 0.01)
    assert mapping.retry_delay_s(3, 1, 300, 0.0) == pytest.approx(0.4)


def test_receiver_down_ten_minutes_then_everything_in_order(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path)
    clock = Clock()
    port = free_port()
    hooks = Webhooks(settings(f"http://127.0.0.1:{port}/hook"), store, clock=clock, rng=random.Random(7))
    for i in range(5):
        hooks.notify(f"intent-{i}", Notification("dc-demo", "desk", f"alert {i}", {"n": i}))
    hooks.hold("intent-hold", FlowHold("dc-demo", "dock-out", "outbound", "inc-1", 1_764_600_000_000_000))
    attempts = 0
    while clock.t < 1_764_573_296.0 + 600:  # ten minutes with nobody listening
        hooks.deliver_due()
        attempts += 1
        clock.t += 5
    pending = store.outbox_list("pending")
    assert len(pending) == 6
    assert pending[0].attempts > 3  # retried, with backoff
    assert all(e.attempts == 0 for e in pending[1:5])  # the rest of desk's queue waited behind its head
    receiver = Receiver(port)
    try:
        for _ in range(200):
            if not store.outbox_list("pending"):
                break
            clock.t += 30
            hooks.deliver_due()
        assert not store.outbox_list("pending")
        desk = [json.loads(b)["data"]["subject"] for h, b in receiver.received if json.loads(b)["type"] ==
                "stockade.notification"]
        assert desk == [f"alert {i}" for i in range(5)]
        hold = [json.loads(b) for _, b in receiver.received if json.loads(b)["type"] == "stockade.flow.hold"]
        assert hold[0]["data"]["zone"] == "dock-out"
        for headers, body in receiver.received:
            verify(headers, body)
        assert [h["webhook-id"] for h, _ in receiver.received if h["webhook-id"] != "intent-hold"] == \
            [f"intent-{i}" for i in range(5)]
    finally:
        receiver.close()
        hooks.stop()
        store.close()


def test_the_outbox_survives_a_restart_and_an_intent_is_sent_once(tmp_path: Path) -> None:
    receiver = Receiver()
    try:
        store = SqliteStore.open(tmp_path)
        hooks = Webhooks(settings(receiver.url), store)
        hooks.notify("intent-a", Notification("dc-demo", "desk", "one"))
        hooks.notify("intent-a", Notification("dc-demo", "desk", "one"))  # the same intent again
        hooks.stop()
        store.close()
        store = SqliteStore.open(tmp_path)  # a restart before delivery
        hooks = Webhooks(settings(receiver.url), store)
        assert hooks.deliver_due() == 1
        assert hooks.deliver_due() == 0
        assert [h["webhook-id"] for h, _ in receiver.received] == ["intent-a"]
        hooks.stop()
        store.close()
    finally:
        receiver.close()


def test_too_old_goes_to_the_dead_letter_list_and_the_queue_moves_on(tmp_path: Path) -> None:
    receiver = Receiver()
    receiver.status = 500
    store = SqliteStore.open(tmp_path)
    clock = Clock()
    hooks = Webhooks(settings(receiver.url, give_up_after_s=60), store, clock=clock)
    try:
        hooks.notify("old", Notification("dc-demo", "desk", "old"))
        hooks.deliver_due()
        clock.t += 61
        receiver.status = 200
        hooks.notify("new", Notification("dc-demo", "desk", "new"))
        receiver.status = 500
        hooks.deliver_due()  # "old" fails once more, now too old: dead
        receiver.status = 200
        hooks.deliver_due()
        assert [(e.msg_id, e.last_error) for e in hooks.dead_letters()] == [("old", "HTTP 500")]
        assert [h["webhook-id"] for h, _ in receiver.received] == ["new"]
    finally:
        hooks.stop()
        store.close()
        receiver.close()


def test_an_unknown_destination_is_a_port_error(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path)
    hooks = Webhooks(WebhookSettings(), store)
    with pytest.raises(PortError, match="not configured"):
        hooks.notify("i", Notification("dc-demo", "nobody", "x"))
    with pytest.raises(PortError, match="flow_destination"):
        hooks.hold("i", FlowHold("dc-demo", "z", "both", "inc", 0))
    hooks.stop()
    store.close()
