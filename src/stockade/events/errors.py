"""Errors of the events package.

    StockadeError            (stockade.errors)
    └── EventError           an event that is not valid SEF/1: names the field and the reason
"""

from __future__ import annotations

from stockade.errors import StockadeError


class EventError(StockadeError):
    """An input that is not a valid SEF/1 event."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason
