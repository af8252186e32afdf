"""The durable outbox a webhook waits in until its receiver takes it (implemented by the store).

Messages to one destination are delivered in the order they were added: only
the oldest pending message of each destination is ever due, so a receiver that
is down holds its queue back without reordering it. A message undelivered after
``give_up_after_s`` moves to the dead-letter list and the queue moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

OutboxStatus = Literal["pending", "delivered", "dead"]


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    msg_id: str
    destination: str
    body: bytes
    created_us: int
    status: OutboxStatus = "pending"
    attempts: int = 0
    next_us: int = 0
    last_error: str = ""
    order: int = 0  # the store's insertion order


class Outbox(Protocol):
    def outbox_add(self, entry: OutboxEntry) -> bool:
        """Add a message; False if its id is already there (the same intent: sent once)."""
        ...

    def outbox_due(self, now_us: int) -> list[OutboxEntry]:
        """The oldest pending message of each destination, if its next attempt is due."""
        ...

    def outbox_update(self, msg_id: str, status: OutboxStatus, attempts: int, next_us: int, error: str) -> None: ...

    def outbox_list(self, status: OutboxStatus, limit: int = 100) -> list[OutboxEntry]: ...

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        """Messages by (destination, status)."""
        ...
