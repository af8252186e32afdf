"""Opening the store a node's settings name: PostgreSQL when a DSN is set, else SQLite in the data directory."""

from __future__ import annotations

from pathlib import Path

from stockade.node.protocol import StoreTarget
from stockade.node.settings import Settings
from stockade.store import Store


def store_target(settings: Settings) -> StoreTarget:
    return StoreTarget(str(settings.data_dir), settings.postgres_dsn, settings.sqlite_synchronous)


def open_target(target: StoreTarget) -> Store:
    if target.postgres_dsn:
        from stockade.store.postgres import PostgresStore

        return PostgresStore.open(target.postgres_dsn)
    from stockade.store.sqlite import SqliteStore

    return SqliteStore.open(Path(target.data_dir), synchronous=target.sqlite_synchronous)


def open_store(settings: Settings) -> Store:
    return open_target(store_target(settings))
