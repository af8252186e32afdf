"""The store: one interface (:class:`Store`), SQLite embedded and PostgreSQL behind it."""

from stockade.store.base import (
    ApiKeyRecord,
    AppendResult,
    EventQuery,
    IndexRow,
    Store,
    StoredEvent,
    StoredRow,
)
from stockade.store.errors import StoreError

__all__ = ["ApiKeyRecord", "AppendResult", "EventQuery", "IndexRow", "Store", "StoreError", "StoredEvent",
           "StoredRow"]
