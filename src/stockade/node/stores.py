"""Where the engine worker opens the store for its entity index: the same store the node opened."""

from __future__ import annotations

from pathlib import Path

from stockade.ledger.seal import load_or_create_row_seal
from stockade.node.protocol import StoreTarget
from stockade.node.settings import Settings
from stockade.store import Store


def store_target(settings: Settings) -> StoreTarget:
    return StoreTarget(str(settings.data_dir), settings.postgres_dsn, settings.sqlite_synchronous)


def open_target(target: StoreTarget) -> Store:
    """The store, with the node's row seal (as ``runtime.open_store`` opens it)."""
    seal = load_or_create_row_seal(Path(target.data_dir) / "keys")
    if target.postgres_dsn:
        from stockade.store.postgres import PostgresStore

        return PostgresStore.open(target.postgres_dsn, seal=seal)
    from stockade.store.sqlite import SqliteStore

    return SqliteStore.open(Path(target.data_dir), synchronous=target.sqlite_synchronous, seal=seal)
