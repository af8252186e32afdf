"""Signed door commands: the pure part (build and sign), the other half of ``door_verify``.

    >>> signer = CommandSigner(Ed25519PrivateKey.generate())
    >>> body = signer.sign(DoorCommand("dc-demo", "D-1", "LOCK", "inc-1"), "intent-1", now_s=1_764_573_296.0,
    ...                    ttl_s=30)
    >>> body["not_after"], body["counter"] > 0
    (1764573326, True)

The counter is ``max(last + 1, now in microseconds)``: it never goes down, even
across restarts of the node (as long as its clock does not go back), so a
controller's replay check needs no state from the node.
"""

from __future__ import annotations

import base64
import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from stockade.connectors.mqtt.door_verify import key_id, signed_bytes
from stockade.response.ports import DoorCommand


class CommandSigner:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id(self.public_raw)
        self._last = 0
        self._lock = threading.Lock()

    def next_counter(self, now_s: float) -> int:
        with self._lock:
            self._last = max(self._last + 1, int(now_s * 1_000_000))
            return self._last

    def sign(self, command: DoorCommand, intent_id: str, *, now_s: float, ttl_s: int) -> dict[str, Any]:
        not_after = (command.not_after_us // 1_000_000 if command.not_after_us is not None
                     else int(now_s) + ttl_s)
        body: dict[str, Any] = {
            "v": 1, "command": command.command, "site": command.site, "door": command.door,
            "incident": command.incident, "approval": command.approval, "intent": intent_id,
            "counter": self.next_counter(now_s), "not_after": not_after, "key": self.key_id,
        }
        body["sig"] = base64.b64encode(self._key.sign(signed_bytes(body))).decode()
        return body
