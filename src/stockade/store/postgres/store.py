"""PostgreSQL implementation of :class:`stockade.store.base.Store`.

Several API nodes may write one site: a transaction-scoped advisory lock per
site serialises its sequencing, so sequence numbers stay gapless and in
acceptance order across processes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import psycopg

from stockade.events import Envelope
from stockade.store.base import ApiKeyRecord, AppendResult, EventQuery, StoredEvent
from stockade.store.errors import StoreError
from stockade.store.outbox import OutboxTables
from stockade.store.postgres.migrations import migrate
from stockade.store.sql import entity_rows, key_from_row, key_row, plan_append, query_sql

Conn = psycopg.Connection[tuple[object, ...]]


class PostgresStore(OutboxTables):
    _mark = "%s"

    def __init__(self, conn: Conn, dsn: str) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.dsn = dsn

    @classmethod
    def open(cls, dsn: str) -> PostgresStore:
        try:
            conn: Conn = psycopg.connect(dsn, autocommit=True)
            migrate(conn)
        except psycopg.Error as e:
            raise StoreError(f"cannot open the PostgreSQL store ({dsn}): {e}") from e
        return cls(conn, dsn)

    def append(
        self, site: str, events: Sequence[Envelope], entries: Sequence[bytes], *, wait_for_disk: bool = True
    ) -> list[AppendResult]:
        ids = [e.id for e in events]
        with self._lock:
            try:
                with self._conn.transaction():
                    if not wait_for_disk:
                        self._conn.execute("SET LOCAL synchronous_commit = off")
                    self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (site,))
                    existing = {
                        str(r[0]): int(str(r[1])) for r in self._conn.execute(
                            "SELECT id, seq FROM events WHERE site=%s AND id = ANY(%s)", (site, ids))
                    }
                    plan = plan_append(site, events, entries, existing, self._last_seq(site))
                    if plan.rows:
                        with self._conn.cursor() as cur:
                            cur.executemany("INSERT INTO events VALUES (%s,%s,%s,%s,%s,%s)", plan.rows)
            except psycopg.Error as e:
                raise StoreError(f"append to {site} failed: {e}") from e
        return plan.results

    def sync(self) -> None:
        """Flush asynchronous commits now (PostgreSQL does within 3 × wal_writer_delay anyway): a
        transaction that takes an xid commits synchronously, and the WAL is flushed up to it."""
        with self._lock:
            self._conn.execute("SELECT pg_current_xact_id()")

    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        rows = entity_rows(site, events)
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany("INSERT INTO entities VALUES (%s,%s,%s,%s) ON CONFLICT DO NOTHING", rows)

    def indexed_seq(self, site: str) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM entities WHERE site=%s", (site,)).fetchone()
        return int(str(row[0])) if row else 0

    def _last_seq(self, site: str) -> int:
        row = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE site=%s", (site,)).fetchone()
        return int(str(row[0])) if row else 0

    def get(self, site: str, event_id: str) -> StoredEvent | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT seq, entry FROM events WHERE site=%s AND id=%s", (site, event_id)
            ).fetchone()
        return StoredEvent(site, *_seq_entry(row)) if row else None

    def query(self, q: EventQuery) -> list[StoredEvent]:
        sql, params = query_sql(q, "%s")
        with self._lock:
            rows = self._conn.execute(sql.encode(), params).fetchall()
        return [StoredEvent(q.site, *_seq_entry(r)) for r in rows]

    def read(self, site: str, after_seq: int = 0, batch: int = 10_000) -> Iterator[StoredEvent]:
        last = after_seq
        while True:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT seq, entry FROM events WHERE site=%s AND seq>%s ORDER BY seq LIMIT %s",
                    (site, last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield StoredEvent(site, *_seq_entry(row))
            last = _seq_entry(rows[-1])[0]

    def last_seq(self, site: str) -> int:
        with self._lock:
            return self._last_seq(site)

    def sites(self) -> list[str]:
        with self._lock:
            return [str(r[0]) for r in self._conn.execute("SELECT DISTINCT site FROM events ORDER BY site")]

    def put_key(self, key: ApiKeyRecord) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (key_id) DO UPDATE SET "
                "secret_hash=EXCLUDED.secret_hash, scopes=EXCLUDED.scopes, site=EXCLUDED.site, "
                "sources=EXCLUDED.sources, label=EXCLUDED.label, revoked=EXCLUDED.revoked",
                key_row(key),
            )

    def get_key(self, key_id: str) -> ApiKeyRecord | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM api_keys WHERE key_id=%s", (key_id,)).fetchone()
        return key_from_row(row) if row else None

    def list_keys(self) -> list[ApiKeyRecord]:
        with self._lock:
            return [key_from_row(r) for r in self._conn.execute("SELECT * FROM api_keys ORDER BY key_id")]

    def save_snapshot(self, site: str, seq: int, data: bytes) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO snapshots VALUES (%s,%s,%s) ON CONFLICT (site) DO UPDATE "
                "SET seq=EXCLUDED.seq, data=EXCLUDED.data", (site, seq, data))

    def load_snapshot(self, site: str) -> tuple[int, bytes] | None:
        with self._lock:
            row = self._conn.execute("SELECT seq, data FROM snapshots WHERE site=%s", (site,)).fetchone()
        return _seq_entry(row) if row else None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def execute_raw(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run one statement as-is. For tamper tests and repairs only."""
        with self._lock:
            self._conn.execute(sql.encode(), params)

    def _run(self, sql: str, params: Sequence[object] = ()) -> tuple[list[tuple[object, ...]], int]:
        """One outbox or cursor statement (autocommit)."""
        with self._lock:
            try:
                cur = self._conn.execute(sql.encode(), params)
                rows = cur.fetchall() if cur.description is not None else []
            except psycopg.Error as e:
                raise StoreError(f"outbox: {e}") from e
        return rows, cur.rowcount


def _seq_entry(row: Sequence[object]) -> tuple[int, bytes]:
    seq, entry = row[0], row[1]
    if not isinstance(seq, int) or not isinstance(entry, bytes | memoryview):
        raise StoreError(f"unexpected row from PostgreSQL: {type(seq).__name__}, {type(entry).__name__}")
    return seq, bytes(entry)
