"""The embedded store: one SQLite file in WAL mode under the data directory."""

from stockade.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
