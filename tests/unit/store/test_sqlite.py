from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stockade.ledger.seal import RowSeal
from stockade.store.errors import MigrationError
from stockade.store.sqlite import SqliteStore
from tests import store_contract as contract


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore.open(tmp_path)


def test_sequencing_and_dedup(store: SqliteStore) -> None:
    contract.check_sequencing_and_dedup(store)


def test_queries(store: SqliteStore) -> None:
    contract.check_queries(store)


def test_seals_and_audit_reads(tmp_path: Path) -> None:
    seal = RowSeal(bytes(range(32)))
    contract.check_seals_and_audit_reads(SqliteStore.open(tmp_path, seal=seal), seal)


def test_keys_and_snapshots(store: SqliteStore) -> None:
    contract.check_keys_and_snapshots(store)


def test_incident_projection(store: SqliteStore) -> None:
    contract.check_incident_projection(store)


def test_wal_mode_and_reopen_keeps_data(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path)
    contract.append(store, "s1", [contract.door(1)])
    store.close()
    conn = sqlite3.connect(tmp_path / "stockade.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    again = SqliteStore.open(tmp_path)
    assert again.last_seq("s1") == 1


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    SqliteStore.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "stockade.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(MigrationError, match="newer than this Stockade"):
        SqliteStore.open(tmp_path)


def test_outbox_and_cursors(store: SqliteStore) -> None:
    contract.check_outbox_and_cursors(store)


def test_query_plans(store: SqliteStore) -> None:
    contract.check_query_plans(store)


def test_capture_jobs(store: SqliteStore) -> None:
    contract.check_capture_jobs(store)
