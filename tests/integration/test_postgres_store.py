"""The PostgreSQL store against the real server on 127.0.0.1:5432 (database ``test``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from stockade.events import Door, canonical_event
from stockade.ledger.seal import RowSeal
from stockade.store.postgres import PostgresStore
from tests import store_contract as contract

pytestmark = pytest.mark.postgres
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@pytest.fixture
def store() -> Iterator[PostgresStore]:
    name = f"stockade_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    s = PostgresStore.open(f"host=127.0.0.1 port=5432 user=postgres dbname={name}")
    yield s
    s.close()
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)'.encode())


def test_sequencing_and_dedup(store: PostgresStore) -> None:
    contract.check_sequencing_and_dedup(store)


def test_queries(store: PostgresStore) -> None:
    contract.check_queries(store)


def test_the_index_leaves_heartbeats_and_tag_reads_out_of_a_devices_history(store: PostgresStore) -> None:
    contract.check_thin_index(store)


def test_query_plans(store: PostgresStore) -> None:
    contract.check_query_plans(store)


def test_seals_and_audit_reads(store: PostgresStore) -> None:
    seal = RowSeal(bytes(range(32)))
    sealed = PostgresStore.open(store.dsn, seal=seal)
    try:
        contract.check_seals_and_audit_reads(sealed, seal)
    finally:
        sealed.close()


def test_keys_and_snapshots(store: PostgresStore) -> None:
    contract.check_keys_and_snapshots(store)


def test_incident_projection(store: PostgresStore) -> None:
    contract.check_incident_projection(store)


def test_two_writers_share_one_gapless_sequence(store: PostgresStore) -> None:
    other = PostgresStore.open(store.dsn)
    try:
        contract.append(store, "s1", [contract.door(1)])
        contract.append(other, "s1", [contract.door(2)])
        contract.append(store, "s1", [contract.door(3)])
        assert [r.seq for r in other.read("s1")] == [1, 2, 3]
    finally:
        other.close()


def test_migration_is_idempotent(store: PostgresStore) -> None:
    again = PostgresStore.open(store.dsn)
    again.close()


def test_outbox_and_cursors(store: PostgresStore) -> None:
    contract.check_outbox_and_cursors(store)


def test_capture_jobs(store: PostgresStore) -> None:
    contract.check_capture_jobs(store)


def _wal_position(probe: psycopg.Connection[tuple[object, ...]]) -> str:
    (lsn,) = probe.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone() or ("",)
    return str(lsn)


def _flushed_past(probe: psycopg.Connection[tuple[object, ...]], lsn: str) -> bool:
    return probe.execute("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", (lsn,)).fetchone() == (True,)


@pytest.mark.parametrize("then", ["a waiting append with nothing new", "sync"])
def test_the_commits_that_did_not_wait_are_on_disk_after(store: PostgresStore, then: str) -> None:
    """The chunks of a batch commit without waiting (``synchronous_commit = off``); the batch's
    acknowledgement waits on its last append, which may write no row (all duplicates); the node's
    checkpoint waits on ``sync``. Either must flush the write-ahead log past the commits before it.
    Twenty rounds, each much quicker than the WAL writer's own flush (within 3 × 200 ms)."""
    def append(event: Door, wait: bool) -> str:
        return store.append("s1", [event], [canonical_event(event)], wait_for_disk=wait)[0].status

    assert append(contract.door(1), True) == "accepted"
    with psycopg.connect(store.dsn, autocommit=True) as probe:
        for i in range(2, 22):
            assert append(contract.door(i), False) == "accepted"
            written = _wal_position(probe)
            if then == "sync":
                store.sync()
            else:
                assert append(contract.door(1), True) == "duplicate"
            assert _flushed_past(probe, written), f"the commit that did not wait is on disk after {then}"
