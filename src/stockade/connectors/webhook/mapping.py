"""Pure parts of webhooks: message bodies, Standard Webhooks headers, retry delays.

    >>> headers("msg_1", 1764573296, b'{"type":"x"}', "whsec_" + "A" * 32)["webhook-signature"][:3]
    'v1,'

Standard Webhooks (standardwebhooks.com): ``webhook-id`` (stable across retries,
the receiver's idempotency key: Stockade uses the intent id), ``webhook-timestamp``
(Unix seconds of this attempt) and ``webhook-signature`` (``v1,`` + base64
HMAC-SHA256 over ``id.timestamp.body`` with the base64-decoded secret).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import msgspec
from standardwebhooks import Webhook

from stockade.response.ports import FlowHold, Notification

_encode = msgspec.json.Encoder().encode


def _iso_us(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, UTC).isoformat()


def notification_body(n: Notification, now_us: int) -> bytes:
    return _encode({"type": "stockade.notification", "timestamp": _iso_us(now_us),
                    "data": {"site": n.site, "destination": n.destination, "subject": n.subject, "body": n.body}})


def flow_hold_body(h: FlowHold, now_us: int) -> bytes:
    return _encode({"type": "stockade.flow.hold", "timestamp": _iso_us(now_us),
                    "data": {"site": h.site, "zone": h.zone, "direction": h.direction, "incident": h.incident,
                             "expires": _iso_us(h.expires_us)}})


def headers(msg_id: str, timestamp_s: int, body: bytes, secret: str) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp_s, UTC), body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp_s), "webhook-signature": signature,
            "content-type": "application/json"}


def retry_delay_s(attempts: int, base_s: float, max_s: float, jitter: float) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempts-1))], ``jitter`` in [0, 1).

    A floor of a tenth of the step keeps a burst of failures from retrying in a tight loop."""
    step = min(max_s, math.ldexp(base_s, max(0, attempts - 1)))
    return max(step * 0.1, step * jitter)
