from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from stockade.events import Tag, canonical_event
from stockade.ledger.seal import RowSeal
from stockade.store import EventQuery
from stockade.store.errors import MigrationError
from stockade.store.event_sql import TIMED_ENTITIES
from stockade.store.sqlite import SqliteStore
from stockade.store.sqlite.store import PAGE_SIZE
from tests import store_contract as contract


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore.open(tmp_path)


def test_sequencing_and_dedup(store: SqliteStore) -> None:
    contract.check_sequencing_and_dedup(store)


def test_queries(store: SqliteStore) -> None:
    contract.check_queries(store)


def test_the_index_leaves_heartbeats_and_tag_reads_out_of_a_devices_history(store: SqliteStore) -> None:
    contract.check_thin_index(store)


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
    assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 8192  # a new store's pages
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


def test_an_entity_index_without_times_is_brought_up_to_date(tmp_path: Path) -> None:
    """An index.db written before the index carried times and kinds gets them from the log at open,
    and time queries by entity answer from it."""
    store = SqliteStore.open(tmp_path)
    contract.append(store, "s1", [contract.door(1), contract.grant(2, "emp-1")])
    store.execute_raw("DROP TABLE idx.entities")
    store.execute_raw("CREATE TABLE idx.entities (site TEXT NOT NULL, etype TEXT NOT NULL, eid TEXT NOT NULL, "
                      "seq INTEGER NOT NULL, PRIMARY KEY (site, etype, eid, seq)) WITHOUT ROWID")
    store.execute_raw("INSERT INTO idx.entities VALUES ('s1', 'door', 'D1', 1), ('s1', 'person', 'emp-1', 2)")
    store.close()
    again = SqliteStore.open(tmp_path)
    rows = again._conn.execute("SELECT seq, ts_us, kind FROM idx.entities ORDER BY seq").fetchall()
    assert [(seq, kind) for seq, _, kind in rows] == [(1, "door"), (2, "access")]
    assert all(ts > 0 for _, ts, _ in rows)
    q = EventQuery("s1", since=contract.T0, entity=("person", "emp-1"))
    assert [r.seq for r in again.query(q)] == [2]


def test_an_entity_index_without_its_progress_gets_it_from_its_rows_once(tmp_path: Path) -> None:
    """An index.db written before the index kept its progress row gets it at open, from its rows."""
    store = SqliteStore.open(tmp_path)
    contract.append(store, "s1", [contract.door(1), contract.grant(2, "emp-1")])
    assert store.indexed_seq("s1") == 2
    store.execute_raw("DROP TABLE idx.entity_progress")
    store.close()
    again = SqliteStore.open(tmp_path)
    assert again.indexed_seq("s1") == 2
    assert again.indexed_seq("s2") == 0
    again.close()


def test_an_entity_time_index_with_epcs_is_made_again_without_them(tmp_path: Path) -> None:
    """An index.db whose time index holds EPC rows (written before ``TIMED_ENTITIES``) gets it made
    again at open, without them; windows by door and by EPC still answer."""
    store = SqliteStore.open(tmp_path)
    epc = "urn:epc:id:sgtin:0614141.107346.7"
    contract.append(store, "s1", [contract.door(1), Tag(id="t2", ts=contract.T0 + timedelta(seconds=2), site="s1",
                                                        source="rdr", reader="R-1", epc=epc)])
    store.execute_raw("DROP INDEX idx.entities_by_time")
    store.execute_raw("CREATE INDEX idx.entities_by_time ON entities (site, etype, eid, ts_us, kind)")
    store.close()
    again = SqliteStore.open(tmp_path)
    (sql,) = again._conn.execute("SELECT sql FROM idx.sqlite_master WHERE name = 'entities_by_time'").fetchone()
    assert sql.endswith(f"WHERE {TIMED_ENTITIES}")
    (rows,) = again._conn.execute("SELECT count(*) FROM idx.entities INDEXED BY entities_by_time "
                                  f"WHERE {TIMED_ENTITIES}").fetchone()
    assert rows == 1  # the door's row; the EPC's is in the primary key only
    since = contract.T0
    assert [r.seq for r in again.query(EventQuery("s1", since=since, entity=("door", "D1")))] == [1]
    assert [r.seq for r in again.query(EventQuery("s1", since=since, entity=("epc", epc)))] == [2]
    again.close()


def test_no_query_kind_scans_a_table(store: SqliteStore) -> None:
    """Issue 11.5: every query kind is a SEARCH on a key or a covering index (a SCAN only of a
    bounded subquery, never of the log or the entity index), as SQLite plans it."""
    t0 = contract.T0
    epc = "urn:epc:id:sgtin:1.2.3"  # read more often than the probe walks: its window walks its rows
    contract.append(store, "s1", [contract.door(i, door_id=f"D{i % 5}") for i in range(1, 400)] +
                    [Tag(id=f"t{i}", ts=t0 + timedelta(seconds=i), site="s1", source="rdr", reader="R-1", epc=epc)
                     for i in range(300)])
    queries = [EventQuery("s1", entity=("door", "D1")), EventQuery("s1", since=t0, until=t0 + timedelta(minutes=1)),
               EventQuery("s1", kinds=("access",)), EventQuery("s1", kinds=("access", "door"), newest_first=True),
               EventQuery("s1", since=t0, until=t0 + timedelta(hours=1), entity=("door", "D2")),
               EventQuery("s1", since=t0, until=t0 + timedelta(seconds=60), entity=("epc", epc), newest_first=True),
               EventQuery("s1", limit=10, newest_first=True), EventQuery("s1", after_seq=200, kinds=("door",))]
    tables = {"events", "e", "t", "x", "entities"}
    with store._reading() as conn:
        for q in queries:
            caught: list[str] = []
            conn.set_trace_callback(caught.append)
            try:
                store.query(q)
            finally:
                conn.set_trace_callback(None)
            plans = [row[3] for sql in caught if sql.lstrip().upper().startswith("SELECT")
                     for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            assert plans, q
            scans = [p for p in plans if p.startswith("SCAN ") and p.split()[1] in tables]
            assert scans == [], (q, plans)


def test_a_waiting_append_with_nothing_new_still_puts_the_commits_before_it_on_disk(
        store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunked batch whose last chunk is all duplicates: the chunks before it committed without
    waiting, and the acknowledgement waits on this append, which commits nothing."""
    event = contract.door(1)
    store.append("s1", [event], [canonical_event(event)], wait_for_disk=False)
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    assert [r.status for r in store.append("s1", [event], [canonical_event(event)])] == ["duplicate"]
    assert len(synced) == 1  # the write-ahead log, with the unwaited commit in it
    store.append("s1", [event], [canonical_event(event)], wait_for_disk=False)
    assert len(synced) == 1, "an append that does not wait syncs nothing"
