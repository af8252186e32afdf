"""Webhooks out: ``Notifier.notify`` and ``FlowControl.hold`` write to the outbox; a worker delivers.

    >>> hooks = Webhooks(settings, store)                  # doctest: +SKIP
    >>> hooks.notify("intent-3", Notification("dc-demo", "security-desk", "Blinding at the docks"))  # doctest: +SKIP
    >>> hooks.start()                                       # delivery in the background  # doctest: +SKIP

``notify`` and ``hold`` return once the message is in the store (so a restart
loses nothing); the intent id is the message id, so the same intent is queued
once, and receivers see it as ``webhook-id``. The worker posts the oldest
pending message of each destination, signed afresh per attempt; a 2xx answer
delivers it, anything else (or no answer) schedules a retry with exponential
backoff and full jitter, until ``give_up_after_s`` sends it to the dead-letter
list (``GET /v1/connectors``, ``stockade connectors status``, ``/metrics``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

import httpx

from stockade.connectors.base import Health
from stockade.connectors.webhook import mapping
from stockade.connectors.webhook.config import WebhookSettings
from stockade.connectors.webhook.outbox import Outbox, OutboxEntry
from stockade.response.ports import FlowHold, Notification, PortError

log = logging.getLogger(__name__)


class Webhooks:
    def __init__(self, settings: WebhookSettings, outbox: Outbox, *,
                 clock: Callable[[], float] = time.time, transport: httpx.BaseTransport | None = None,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self.outbox = outbox
        self.health = Health("webhooks", "webhook")
        self._clock = clock
        self._rng = rng or random.SystemRandom()
        self._client = httpx.Client(transport=transport, follow_redirects=False)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._delivering = threading.Lock()  # one delivery pass at a time: a message is never posted twice at once

    # --- the ports -----------------------------------------------------------------

    def notify(self, intent_id: str, notification: Notification) -> None:
        self._add(intent_id, notification.destination,
                  mapping.notification_body(notification, self._now_us()))

    def hold(self, intent_id: str, hold: FlowHold) -> None:
        if self.settings.flow_destination is None:
            raise PortError("no flow_destination is configured under connectors.webhooks")
        self._add(intent_id, self.settings.flow_destination, mapping.flow_hold_body(hold, self._now_us()))

    def _add(self, intent_id: str, destination: str, body: bytes) -> None:
        if destination not in self.settings.destinations:
            raise PortError(f"webhook destination {destination!r} is not configured "
                            f"(known: {', '.join(sorted(self.settings.destinations)) or 'none'})")
        try:
            self.outbox.outbox_add(OutboxEntry(intent_id, destination, body, self._now_us()))
        except Exception as e:  # any store failure means the message was not handed over
            raise PortError(f"the outbox could not take the message: {e}") from e
        self._wake.set()

    def _now_us(self) -> int:
        return int(self._clock() * 1_000_000)

    # --- delivery ------------------------------------------------------------------

    def start(self) -> None:
        self.health.set_state("idle")
        self._thread = threading.Thread(target=self._run, name="stockade-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._client.close()
        self.health.set_state("stopped")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.deliver_due()
            except Exception as e:  # noqa: BLE001 - a store hiccup: the outbox is still there next round
                self.health.error(f"outbox: {e}")
                worked = 0
            if not worked:
                self._wake.wait(self.settings.poll_s)
                self._wake.clear()

    def deliver_due(self) -> int:
        """One pass: try the head of each destination's queue once. Returns messages delivered."""
        delivered = 0
        with self._delivering:
            for entry in self.outbox.outbox_due(self._now_us()):
                if self._stop.is_set():
                    break
                delivered += self._attempt(entry)
        self.health.backlog = sum(n for (_, status), n in self.outbox.outbox_counts().items() if status == "pending")
        return delivered

    def _attempt(self, entry: OutboxEntry) -> int:
        dest = self.settings.destinations.get(entry.destination)
        attempts = entry.attempts + 1
        if dest is None:
            self.outbox.outbox_update(entry.msg_id, "dead", attempts, 0, "destination no longer configured")
            self.health.error(f"{entry.destination}: not configured; message {entry.msg_id} dead-lettered")
            return 0
        now = self._clock()
        error = ""
        try:
            response = self._client.post(dest.url, content=entry.body, timeout=dest.timeout_s,
                                         headers=mapping.headers(entry.msg_id, int(now), entry.body,
                                                                 dest.secret.get_secret_value()))
            if 200 <= response.status_code < 300:
                self.outbox.outbox_update(entry.msg_id, "delivered", attempts, 0, "")
                self.health.message()
                self.health.set_state("connected")
                return 1
            error = f"HTTP {response.status_code}"
        except httpx.HTTPError as e:
            error = f"{type(e).__name__}: {e}"[:300]
        self.health.error(f"{entry.destination}: {error}")
        self.health.set_state("disconnected")
        if now * 1_000_000 - entry.created_us > self.settings.give_up_after_s * 1_000_000:
            self.outbox.outbox_update(entry.msg_id, "dead", attempts, 0, error)
            log.warning("webhook %s to %s dead-lettered after %d attempts: %s", entry.msg_id, entry.destination,
                        attempts, error)
            return 0
        delay = mapping.retry_delay_s(attempts, self.settings.backoff_base_s, self.settings.backoff_max_s,
                                      self._rng.random())
        self.outbox.outbox_update(entry.msg_id, "pending", attempts, int((now + delay) * 1_000_000), error)
        return 0

    def dead_letters(self, limit: int = 100) -> list[OutboxEntry]:
        return self.outbox.outbox_list("dead", limit)
