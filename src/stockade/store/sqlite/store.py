"""SQLite implementation of :class:`stockade.store.base.Store`.

WAL mode with ``synchronous=FULL``: a commit has reached the disk when
``append`` returns, so an acknowledged event survives a killed process and a
power cut. One connection, guarded by a lock: SQLite has one writer anyway, and
the sequencer batches.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from stockade.events import Envelope
from stockade.incidents.model import IncidentState, decode_state
from stockade.ledger.seal import RowSeal, SealedRow
from stockade.store import incidents_sql
from stockade.store.base import (
    ApiKeyRecord,
    AppendResult,
    EventQuery,
    IncidentQuery,
    IndexRow,
    SnapshotOf,
    StoredEvent,
    StoredRow,
)
from stockade.store.capture_jobs import CaptureJobTables
from stockade.store.errors import StoreError
from stockade.store.event_sql import SQLITE, run_query
from stockade.store.sql import READ_ROWS, entity_rows, insert_events, key_from_row, key_row, paged_rows, plan_append
from stockade.store.sqlite.migrations import ensure_index, migrate

_INSERT = insert_events("?")
PAGE_SIZE = 8192
"""A new store's page size: a log row is a few hundred bytes, and the log and its three indexes
take about a tenth less time per insert in 8 KiB pages than in SQLite's default 4 KiB."""
WAL_CHECKPOINT_PAGES = 10_000
"""A writer checkpoints the write-ahead log into its database once it holds this many pages (SQLite's
default: 1,000). The entity index is written at random places, and a checkpoint copies each page once
however often it changed since the last, so at 1,000 the same index pages were copied over and over
(a script timing ``index_entities`` on the entity rows of 200,000 mixed events, batches of 1,000:
11.6 -> 9.7 µs per event of CPU, medians of 3 interleaved runs; the log's own ingest unchanged;
``bench scale``'s index pages written per event at 100k / 1M / 5M events, the run before and the run
after: 2.06 / 2.70 / 2.77 -> 1.88 / 2.27 / 2.35). The log's WAL is also checkpointed every second
by :meth:`SqliteStore.sync` while the node serves."""
_ID_CHUNK = 500
_SAVE_SNAPSHOT: dict[SnapshotOf, str] = {
    "engine": "INSERT OR REPLACE INTO snapshots VALUES (?,?,?)",
    "access": "INSERT OR REPLACE INTO access_snapshots VALUES (?,?,?)",
}
_LOAD_SNAPSHOT: dict[SnapshotOf, str] = {
    "engine": "SELECT seq, data FROM snapshots WHERE site=?",
    "access": "SELECT seq, data FROM access_snapshots WHERE site=?",
}
_MARK_INDEXED = ("INSERT INTO idx.entity_progress VALUES (?, ?) "
                 "ON CONFLICT (site) DO UPDATE SET seq = MAX(seq, excluded.seq)")
_INSERT_ENTITIES = "INSERT OR IGNORE INTO idx.entities (site, etype, eid, seq, ts_us, kind) VALUES (?,?,?,?,?,?)"


class SqliteStore(CaptureJobTables):
    keys_without_waiting = True  # a key is read on the calling thread's own connection (_reading)

    def __init__(self, conn: sqlite3.Connection, path: Path, synchronous: str = "FULL",
                 seal: RowSeal | None = None) -> None:
        self._conn = conn
        self.seal = seal
        self.synchronous = synchronous
        self._last: dict[str, int] = {}
        self._sync_conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self.path = path
        self._readers = threading.local()  # each thread's own read connection (see _reading)
        self._opened: list[sqlite3.Connection] = []  # every read connection, closed with the store
        self._read_lock = threading.Lock()

    @classmethod
    def open(cls, data_dir: Path, *, synchronous: str = "FULL", seal: RowSeal | None = None) -> SqliteStore:
        if synchronous not in ("FULL", "EXTRA", "NORMAL"):
            raise StoreError(f"synchronous must be FULL, EXTRA or NORMAL, not {synchronous!r}")
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / "stockade.db"
        try:
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # a new store only (WAL fixes it once set)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute(f"PRAGMA synchronous={synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")  # the index's and the log's
            migrate(conn)
            conn.execute("ATTACH DATABASE ? AS idx", (str(data_dir / "index.db"),))
            conn.execute("PRAGMA idx.journal_mode=WAL")
            conn.execute("PRAGMA idx.synchronous=OFF")  # a projection: rebuilt from the log at start
            conn.execute("PRAGMA idx.cache_size=-32768")  # 32 MiB: the index is written at random places
            ensure_index(conn)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the store at {path}: {e}") from e
        return cls(conn, path, synchronous, seal)

    # --- the log -------------------------------------------------------------

    def append(
        self, site: str, events: Sequence[Envelope], entries: Sequence[bytes], *, wait_for_disk: bool = True
    ) -> list[AppendResult]:
        """Number and commit the batch. Ids already in the log are not looked up first: the unique
        index on (site, id) refuses the insert, and only then are the batch's ids looked up and the
        batch numbered again without them (a retried batch costs one refused insert more)."""
        with self._lock:
            last = self._last_seq(site)
            plan = plan_append(site, events, entries, {}, last, self.seal)
            if plan.rows and not self._insert(site, plan.rows, wait_for_disk, refuse_duplicates=True):
                existing = self._existing_ids(site, [e.id for e in events])
                plan = plan_append(site, events, entries, existing, last, self.seal)
                if plan.rows:
                    self._insert(site, plan.rows, wait_for_disk, refuse_duplicates=False)
            if plan.rows:
                self._last[site] = plan.rows[-1][1]
            elif wait_for_disk:
                self._sync_wal()  # nothing committed: the commits before this one still must be on disk
            return plan.results

    def _insert(self, site: str, rows: Sequence[SealedRow],
                wait_for_disk: bool, *, refuse_duplicates: bool) -> bool:
        """Commit ``rows`` in one transaction; False (rolled back) when ``refuse_duplicates`` and an
        id is already in the log. A deferred ``BEGIN``: the insert takes the write lock of the log's
        file alone, never of the attached entity index, which the engine worker writes meanwhile."""
        conn = self._conn
        with self._synchronous("FULL" if wait_for_disk else "NORMAL"):
            try:
                conn.execute("BEGIN")
                conn.executemany(_INSERT, rows)
                conn.execute("COMMIT")
            except sqlite3.IntegrityError as e:
                conn.execute("ROLLBACK")
                if refuse_duplicates and "events.id" in str(e):
                    return False
                raise StoreError(f"append to {site} failed: {e}") from e
            except sqlite3.Error as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"append to {site} failed: {e}") from e
        return True

    def _last_seq(self, site: str) -> int:
        """The site's last sequence number, read once: this process is the data directory's only
        writer of events (``DataDirLock``)."""
        last = self._last.get(site)
        if last is None:
            last = self._last[site] = self.last_seq(site)
        return last

    @contextmanager
    def _synchronous(self, level: str) -> Iterator[None]:
        """Run one commit at another durability level than the store's own (WAL: NORMAL and OFF
        survive a killed process; the next FULL commit or :meth:`sync` puts them on disk)."""
        wanted = level if level != "FULL" else self.synchronous
        if wanted == self.synchronous:
            yield
            return
        self._conn.execute(f"PRAGMA synchronous={wanted}")
        try:
            yield
        finally:
            self._conn.execute(f"PRAGMA synchronous={self.synchronous}")

    def sync(self) -> None:
        """Make every commit so far durable: sync the WAL (a passive checkpoint syncs it only when
        it has frames it may copy, which a reader can prevent), then checkpoint it into the database
        on a connection of its own: a passive checkpoint runs beside writers, so ingest and decisions
        never wait for it."""
        self._sync_wal()
        if self._sync_conn is None:
            self._sync_conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._sync_conn.execute("PRAGMA busy_timeout=1000")
        self._sync_conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _sync_wal(self) -> None:
        """fsync the write-ahead log: every commit in it, with or without a sync of its own, is on disk."""
        try:
            wal = os.open(self.path.with_name(self.path.name + "-wal"), os.O_RDONLY)
        except FileNotFoundError:
            return  # no WAL: every commit is in the database file
        try:
            os.fsync(wal)
        finally:
            os.close(wal)

    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        rows = entity_rows(site, events)
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany(_INSERT_ENTITIES, rows)
            if events:
                self._conn.execute(_MARK_INDEXED, (site, max(seq for seq, _ in events)))
            self._conn.execute("COMMIT")

    def indexed_seq(self, site: str) -> int:
        """The last log position the entity index has taken (a batch with no rows to file moves it too)."""
        with self._lock:
            row = self._conn.execute("SELECT seq FROM idx.entity_progress WHERE site=?", (site,)).fetchone()
        return int(row[0]) if row else 0

    def _existing_ids(self, site: str, ids: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for i in range(0, len(ids), _ID_CHUNK):
            chunk = ids[i : i + _ID_CHUNK]
            for eid, seq in self._conn.execute(
                "SELECT id, seq FROM events WHERE site=? AND id IN (SELECT value FROM json_each(?))",
                (site, json.dumps(chunk)),
            ):
                found[eid] = seq
        return found

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The calling thread's own connection for the reads a request waits on (an event, a query,
        a key): in WAL mode it reads the last commit while the writer commits the next, so a read
        never waits behind an ingest batch's fsync under the writer's lock, nor behind another
        thread's long query."""
        conn: sqlite3.Connection | None = getattr(self._readers, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA query_only=ON")
            conn.execute("ATTACH DATABASE ? AS idx", (str(self.path.with_name("index.db")),))
            with self._read_lock:
                self._opened.append(conn)
            self._readers.conn = conn
        yield conn

    def get(self, site: str, event_id: str) -> StoredEvent | None:
        with self._reading() as conn:
            row = conn.execute("SELECT seq, entry FROM events WHERE site=? AND id=?", (site, event_id)).fetchone()
        return StoredEvent(site, row[0], row[1]) if row else None

    def query(self, q: EventQuery) -> list[StoredEvent]:
        with self._reading() as conn:
            rows = run_query(q, SQLITE, lambda sql, params: conn.execute(sql, params).fetchall())
        return [StoredEvent(q.site, seq, entry) for seq, entry in rows]

    def read(self, site: str, after_seq: int = 0, batch: int = 10_000) -> Iterator[StoredEvent]:
        last = after_seq
        while True:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT seq, entry FROM events WHERE site=? AND seq>? ORDER BY seq LIMIT ?",
                    (site, last, batch),
                ).fetchall()
            if not rows:
                return
            for seq, entry in rows:
                yield StoredEvent(site, seq, entry)
            last = rows[-1][0]

    def last_seq(self, site: str) -> int:
        with self._lock:
            (seq,) = self._conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE site=?", (site,)
            ).fetchone()
        return int(seq)

    def read_rows(self, site: str, after_seq: int = 0, upto: int | None = None,
                  batch: int = 10_000) -> Iterator[StoredRow]:
        def page(last: int, end: int) -> list[StoredRow]:
            with self._lock:
                rows = self._conn.execute(READ_ROWS, (site, last, end, batch)).fetchall()
            return [StoredRow(int(seq), str(eid), str(kind), int(ts_us), bytes(entry),
                              None if mac is None else bytes(mac)) for seq, eid, kind, ts_us, entry, mac in rows]

        return paged_rows(page, after_seq, upto)

    def read_index(self, site: str, upto: int) -> Iterator[IndexRow]:
        # a connection of its own: one ordered scan, without holding the writer's lock
        conn = sqlite3.connect(self.path.with_name("index.db").resolve().as_uri() + "?mode=ro", uri=True)
        try:
            cur = conn.execute("SELECT seq, etype, eid FROM entities WHERE site=? AND seq<=? ORDER BY seq",
                               (site, upto))
            while rows := cur.fetchmany(10_000):
                for seq, etype, eid in rows:
                    yield IndexRow(int(seq), str(etype), str(eid))
        finally:
            conn.close()

    def count(self, site: str) -> int:
        with self._lock:
            (n,) = self._conn.execute("SELECT COUNT(*) FROM events WHERE site=?", (site,)).fetchone()
        return int(n)
    def latest_ts_us(self, site: str, kinds: Sequence[str]) -> int | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT MAX(ts_us) FROM events WHERE site=? AND kind IN (SELECT value FROM json_each(?))",
                (site, json.dumps(list(kinds))),
            ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def sites(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT site FROM events ORDER BY site")]

    # --- keys and snapshots --------------------------------------------------

    def put_key(self, key: ApiKeyRecord) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO api_keys (key_id, secret_hash, scopes, site, sources, label, revoked, "
                "kinds, roles) VALUES (?,?,?,?,?,?,?,?,?)", key_row(key))

    def get_key(self, key_id: str) -> ApiKeyRecord | None:
        with self._reading() as conn:
            row = conn.execute(
                "SELECT key_id, secret_hash, scopes, site, sources, label, revoked, kinds, roles FROM api_keys "
                "WHERE key_id=?", (key_id,)).fetchone()
        return key_from_row(row) if row else None

    def list_keys(self) -> list[ApiKeyRecord]:
        with self._lock:
            return [key_from_row(r) for r in self._conn.execute(
                "SELECT key_id, secret_hash, scopes, site, sources, label, revoked, kinds, roles FROM api_keys "
                "ORDER BY key_id")]

    def save_snapshot(self, site: str, seq: int, data: bytes, *, of: SnapshotOf = "engine") -> None:
        with self._lock:
            self._conn.execute(_SAVE_SNAPSHOT[of], (site, seq, data))

    def load_snapshot(self, site: str, *, of: SnapshotOf = "engine") -> tuple[int, bytes] | None:
        with self._lock:
            row = self._conn.execute(_LOAD_SNAPSHOT[of], (site,)).fetchone()
        return (int(row[0]), bytes(row[1])) if row else None

    # --- the incident projection --------------------------------------------

    def put_incidents(self, site: str, states: Sequence[IncidentState], seq: int) -> None:
        # a projection: no fsync of its own (a killed process keeps it; a power cut loses at most the
        # last interval, which start-up folds again from the log after incidents_seq)
        with self._lock, self._synchronous("NORMAL"):
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(incidents_sql.upsert_sql("?"), incidents_sql.rows(site, states))
                self._conn.execute(incidents_sql.progress_sql("?"), (site, seq))
                self._conn.execute("COMMIT")
            except sqlite3.Error as e:
                self._conn.execute("ROLLBACK")
                raise StoreError(f"incident projection of {site} failed: {e}") from e

    def get_incident(self, site: str, incident: str) -> IncidentState | None:
        with self._lock:
            row = self._conn.execute("SELECT state FROM incidents WHERE site=? AND id=?", (site, incident)).fetchone()
        return decode_state(row[0]) if row else None

    def list_incidents(self, q: IncidentQuery) -> list[IncidentState]:
        after = None if q.after is None else (q.after.opened_us, q.after.site, q.after.incident)
        sql, params = incidents_sql.list_sql("?", q.site, q.status, after, q.limit)
        with self._lock:
            found = self._conn.execute(sql, params).fetchall()
        return [decode_state(r[0]) for r in found]

    def incidents_seq(self, site: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT seq FROM incident_progress WHERE site=?", (site,)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._conn.close()
            for conn in (self._sync_conn, *self._opened):
                if conn is not None:
                    conn.close()
            self._opened.clear()

    def execute_raw(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run one statement as-is. For tamper tests and repairs only."""
        with self._lock:
            self._conn.execute(sql, params)
            self._last.clear()

    def _run(self, sql: str, params: Sequence[object] = ()) -> tuple[list[tuple[object, ...]], int]:
        """One outbox, cursor or capture-job statement, committed (what a restart must not lose)."""
        with self._lock:
            try:
                cur = self._conn.execute(sql, params)
                return cur.fetchall(), cur.rowcount
            except sqlite3.Error as e:
                raise StoreError(f"store: {e}") from e
