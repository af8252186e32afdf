"""PostgreSQL implementation of :class:`stockade.store.base.Store`.

Several API nodes may write one site: a transaction-scoped advisory lock per
site serialises its sequencing, so sequence numbers stay gapless and in
acceptance order across processes. A cluster worker's store has
:class:`~stockade.store.postgres.fence.Fences`: each write of a site's log
(events, snapshot, incident projection) checks the site's fencing token in its
transaction, and a stale one fails with :class:`~stockade.store.postgres.fence.Fenced`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import psycopg

from stockade.events import Envelope
from stockade.incidents.model import IncidentState, decode_state
from stockade.ledger.seal import RowSeal
from stockade.store import incidents_sql
from stockade.store import sql as shared_sql
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
from stockade.store.event_sql import POSTGRES, Row, run_query
from stockade.store.postgres.fence import Fences
from stockade.store.postgres.fence import upsert as fenced_upsert
from stockade.store.postgres.migrations import migrate
from stockade.store.sql import entity_rows, insert_events, key_from_row, key_row, plan_append

Conn = psycopg.Connection[tuple[object, ...]]
_INSERT = insert_events("%s").encode()
_READ_ROWS = shared_sql.READ_ROWS.replace("?", "%s").encode()
_FLUSH_WAL = b"SELECT pg_logical_emit_message(true, 'stockade/flush', '')"
"""Makes its transaction's commit flush the write-ahead log up to it, and so every commit before it,
asynchronous ones too: it writes one WAL record (a logical-decoding message nobody decodes). Taking
an xid alone does not: PostgreSQL does not flush the commit of a transaction that wrote no WAL."""
_MARK_INDEXED = (b"INSERT INTO entity_progress VALUES (%s, %s) "
                 b"ON CONFLICT (site) DO UPDATE SET seq = GREATEST(entity_progress.seq, EXCLUDED.seq)")
_INSERT_ENTITIES = (b"INSERT INTO entities (site, etype, eid, seq, ts_us, kind) VALUES (%s,%s,%s,%s,%s,%s) "
                    b"ON CONFLICT DO NOTHING")


_SAVE_SNAPSHOT: dict[SnapshotOf, str] = {
    "engine": "INSERT INTO snapshots {} ON CONFLICT (site) DO UPDATE SET seq=EXCLUDED.seq, data=EXCLUDED.data",
    "access": "INSERT INTO access_snapshots {} ON CONFLICT (site) DO UPDATE SET seq=EXCLUDED.seq, data=EXCLUDED.data",
}
_LOAD_SNAPSHOT: dict[SnapshotOf, str] = {
    "engine": "SELECT seq, data FROM snapshots WHERE site=%s",
    "access": "SELECT seq, data FROM access_snapshots WHERE site=%s",
}


class PostgresStore(CaptureJobTables):
    _mark = "%s"
    keys_without_waiting = False  # a key is a round trip to the server

    def __init__(self, conn: Conn, dsn: str, seal: RowSeal | None = None, fences: Fences | None = None) -> None:
        self._conn = conn
        self.seal = seal
        self._lock = threading.RLock()
        self.dsn = dsn
        self.fences = fences

    @classmethod
    def open(cls, dsn: str, *, seal: RowSeal | None = None, fences: Fences | None = None) -> PostgresStore:
        try:
            conn: Conn = psycopg.connect(dsn, autocommit=True)
            migrate(conn)
        except psycopg.Error as e:
            raise StoreError(f"cannot open the PostgreSQL store ({dsn}): {e}") from e
        return cls(conn, dsn, seal, fences)

    def claim(self, site: str, token: int, owner: str) -> None:
        """Take the site's log for this process's fences (before reading it), or :class:`Fenced`."""
        if self.fences is None:
            raise StoreError("this store has no fences to claim a site with")
        with self._lock:
            self.fences.claim(self._conn, site, token, owner)

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
                    if self.fences is not None:
                        self.fences.check(self._conn, site)
                    existing = {
                        str(r[0]): int(str(r[1])) for r in self._conn.execute(
                            "SELECT id, seq FROM events WHERE site=%s AND id = ANY(%s)", (site, ids))
                    }
                    plan = plan_append(site, events, entries, existing, self._last_seq(site), self.seal)
                    if plan.rows:
                        with self._conn.cursor() as cur:
                            cur.executemany(_INSERT, plan.rows)
                    elif wait_for_disk:  # nothing to write: the commits before this one still must be on disk
                        self._conn.execute(_FLUSH_WAL)
            except psycopg.Error as e:
                raise StoreError(f"append to {site} failed: {e}") from e
        return plan.results

    def sync(self) -> None:
        """Flush asynchronous commits now (PostgreSQL does within 3 × wal_writer_delay anyway)."""
        with self._lock:
            self._conn.execute(_FLUSH_WAL)

    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        rows = entity_rows(site, events)
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany(_INSERT_ENTITIES, rows)
            if events:
                cur.execute(_MARK_INDEXED, (site, max(seq for seq, _ in events)))

    def indexed_seq(self, site: str) -> int:
        """The last log position the entity index has taken (a batch with no rows to file moves it too)."""
        with self._lock:
            row = self._conn.execute("SELECT seq FROM entity_progress WHERE site=%s", (site,)).fetchone()
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
        with self._lock:
            rows = run_query(q, POSTGRES, self._select)
        return [StoredEvent(q.site, seq, entry) for seq, entry in rows]

    def _select(self, sql: str, params: list[object]) -> list[Row]:
        return [_seq_maybe_entry(row) for row in self._conn.execute(sql.encode(), params).fetchall()]

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

    def read_rows(self, site: str, after_seq: int = 0, upto: int | None = None,
                  batch: int = 10_000) -> Iterator[StoredRow]:
        def page(last: int, end: int) -> list[StoredRow]:
            with self._lock:
                rows = self._conn.execute(_READ_ROWS, (site, last, end, batch)).fetchall()
            return [_stored_row(row) for row in rows]

        return shared_sql.paged_rows(page, after_seq, upto)

    def read_index(self, site: str, upto: int) -> Iterator[IndexRow]:
        # a connection and a server-side cursor of their own: one ordered scan, without the writer's lock
        with psycopg.connect(self.dsn) as conn, conn.cursor(name="stockade_audit_index") as cur:
            cur.execute("SELECT seq, etype, eid FROM entities WHERE site=%s AND seq<=%s ORDER BY seq",
                        (site, upto))
            while rows := cur.fetchmany(10_000):
                for seq, etype, eid in rows:
                    yield IndexRow(int(str(seq)), str(etype), str(eid))

    def count(self, site: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT COUNT(*) FROM events WHERE site=%s", (site,)).fetchone()
        return int(str(row[0])) if row else 0
    def latest_ts_us(self, site: str, kinds: Sequence[str]) -> int | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT MAX(ts_us) FROM events WHERE site=%s AND kind = ANY(%s)", (site, list(kinds)),
            ).fetchone()
        return None if row is None or row[0] is None else int(str(row[0]))

    def sites(self) -> list[str]:
        with self._lock:
            return [str(r[0]) for r in self._conn.execute("SELECT DISTINCT site FROM events ORDER BY site")]

    def put_key(self, key: ApiKeyRecord) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys (key_id, secret_hash, scopes, site, sources, label, revoked, kinds, roles) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (key_id) DO UPDATE SET "
                "secret_hash=EXCLUDED.secret_hash, scopes=EXCLUDED.scopes, site=EXCLUDED.site, "
                "sources=EXCLUDED.sources, label=EXCLUDED.label, revoked=EXCLUDED.revoked, "
                "kinds=EXCLUDED.kinds, roles=EXCLUDED.roles",
                key_row(key),
            )

    def get_key(self, key_id: str) -> ApiKeyRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT key_id, secret_hash, scopes, site, sources, label, revoked, kinds, roles FROM api_keys "
                "WHERE key_id=%s", (key_id,)).fetchone()
        return key_from_row(row) if row else None

    def list_keys(self) -> list[ApiKeyRecord]:
        with self._lock:
            return [key_from_row(r) for r in self._conn.execute(
                "SELECT key_id, secret_hash, scopes, site, sources, label, revoked, kinds, roles FROM api_keys "
                "ORDER BY key_id")]

    def save_snapshot(self, site: str, seq: int, data: bytes, *, of: SnapshotOf = "engine") -> None:
        with self._lock:
            fenced_upsert(self._conn, self.fences, site, _SAVE_SNAPSHOT[of], (site, seq, data))

    def load_snapshot(self, site: str, *, of: SnapshotOf = "engine") -> tuple[int, bytes] | None:
        with self._lock:
            row = self._conn.execute(_LOAD_SNAPSHOT[of], (site,)).fetchone()
        return _seq_entry(row) if row else None

    # --- the incident projection --------------------------------------------

    def put_incidents(self, site: str, states: Sequence[IncidentState], seq: int) -> None:
        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit = off")  # a projection, folded again at start
                    if self.fences is not None:
                        self.fences.check(self._conn, site)
                    cur.executemany(incidents_sql.upsert_sql("%s").encode(), incidents_sql.rows(site, states))
                    cur.execute(incidents_sql.progress_sql("%s").encode(), (site, seq))
            except psycopg.Error as e:
                raise StoreError(f"incident projection of {site} failed: {e}") from e

    def get_incident(self, site: str, incident: str) -> IncidentState | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT state FROM incidents WHERE site=%s AND id=%s", (site, incident)).fetchone()
        return decode_state(_bytes(row[0])) if row else None

    def list_incidents(self, q: IncidentQuery) -> list[IncidentState]:
        after = None if q.after is None else (q.after.opened_us, q.after.site, q.after.incident)
        sql, params = incidents_sql.list_sql("%s", q.site, q.status, after, q.limit)
        with self._lock:
            found = self._conn.execute(sql.encode(), params).fetchall()
        return [decode_state(_bytes(r[0])) for r in found]

    def incidents_seq(self, site: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT seq FROM incident_progress WHERE site=%s", (site,)).fetchone()
        return int(str(row[0])) if row else 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def execute_raw(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run one statement as-is. For tamper tests and repairs only."""
        with self._lock:
            self._conn.execute(sql.encode(), params)

    def _run(self, sql: str, params: Sequence[object] = ()) -> tuple[list[tuple[object, ...]], int]:
        """One outbox, cursor or capture-job statement (autocommit)."""
        with self._lock:
            try:
                cur = self._conn.execute(sql.encode(), params)
                rows = cur.fetchall() if cur.description is not None else []
            except psycopg.Error as e:
                raise StoreError(f"store: {e}") from e
        return rows, cur.rowcount


def _stored_row(row: Sequence[object]) -> StoredRow:
    seq, entry = _seq_entry((row[0], row[4]))
    mac = row[5]
    if not isinstance(row[3], int) or not (mac is None or isinstance(mac, bytes | memoryview)):
        raise StoreError("unexpected event row from PostgreSQL")
    return StoredRow(seq, str(row[1]), str(row[2]), row[3], entry, None if mac is None else bytes(mac))


def _seq_entry(row: Sequence[object]) -> tuple[int, bytes]:
    seq, entry = row[0], row[1]
    if not isinstance(seq, int) or not isinstance(entry, bytes | memoryview):
        raise StoreError(f"unexpected row from PostgreSQL: {type(seq).__name__}, {type(entry).__name__}")
    return seq, bytes(entry)


def _seq_maybe_entry(row: Sequence[object]) -> Row:
    """A query row: (seq, entry), entry None for a row walked that does not match."""
    return (_seq_entry((row[0], b""))[0], None) if row[1] is None else _seq_entry(row)


def _bytes(value: object) -> bytes:
    if not isinstance(value, bytes | memoryview):
        raise StoreError(f"unexpected incident state from PostgreSQL: {type(value).__name__}")
    return bytes(value)
