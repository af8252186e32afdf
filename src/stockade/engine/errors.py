"""The engine's errors.

    StockadeError
    └── SnapshotRefused     a snapshot that cannot be used (wrong version, garbage, or folded with
                            another site file or detector catalogue); the state is rebuilt from the log
"""

from __future__ import annotations

from stockade.errors import StockadeError


class SnapshotRefused(StockadeError):
    """A snapshot that cannot be used; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
