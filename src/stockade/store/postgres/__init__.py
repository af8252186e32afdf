"""The cluster store: PostgreSQL, behind the same interface as the SQLite store."""

from stockade.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
