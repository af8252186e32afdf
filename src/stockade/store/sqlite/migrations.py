"""Schema migrations of the SQLite store, applied in order at open.

Each migration is a list of statements; ``PRAGMA user_version`` records how many
have run. Add a migration by appending to ``MIGRATIONS``; never edit one that
has shipped.
"""

from __future__ import annotations

import sqlite3

from stockade.store.errors import MigrationError
from stockade.store.event_sql import TIMED_ENTITIES

MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE events (
            site TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
            ts_us INTEGER NOT NULL, entry BLOB NOT NULL,
            PRIMARY KEY (site, seq)) WITHOUT ROWID""",
        "CREATE UNIQUE INDEX events_by_id ON events (site, id)",
        "CREATE INDEX events_by_time ON events (site, ts_us)",
        "CREATE INDEX events_by_kind ON events (site, kind, seq)",
        """CREATE TABLE api_keys (
            key_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, scopes TEXT NOT NULL,
            site TEXT, sources TEXT NOT NULL, label TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE snapshots (
            site TEXT PRIMARY KEY, seq INTEGER NOT NULL, data BLOB NOT NULL)""",
    ],
    # 2: each event row's seal (an HMAC under the node's key, stockade.ledger.seal)
    ["ALTER TABLE events ADD COLUMN mac BLOB"],
    [  # 3: an ingest key's kinds (issue 18.1); empty: the device kinds
        "ALTER TABLE api_keys ADD COLUMN kinds TEXT NOT NULL DEFAULT ''",
    ],
    [  # 4: the incident projection (current state of each incident, folded from the log)
        """CREATE TABLE incidents (
            site TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL, opened_us INTEGER NOT NULL,
            state BLOB NOT NULL, PRIMARY KEY (site, id)) WITHOUT ROWID""",
        "CREATE INDEX incidents_by_opening ON incidents (opened_us, site, id)",
        "CREATE INDEX incidents_by_status ON incidents (site, status, opened_us)",
        "CREATE TABLE incident_progress (site TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    ],
    # 5: connectors: the webhook outbox and the SIEM export cursors
    [
        """CREATE TABLE outbox (
            ord INTEGER PRIMARY KEY AUTOINCREMENT, msg_id TEXT NOT NULL UNIQUE, destination TEXT NOT NULL,
            body BLOB NOT NULL, created_us INTEGER NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
            next_us INTEGER NOT NULL, last_error TEXT NOT NULL)""",
        "CREATE INDEX outbox_heads ON outbox (status, destination, ord)",
        """CREATE TABLE export_cursors (
            destination TEXT NOT NULL, site TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (destination, site))""",
    ],
    [  # 6: an analyst or admin key's roles (approving playbook steps, issue 14); empty: none
        "ALTER TABLE api_keys ADD COLUMN roles TEXT NOT NULL DEFAULT ''",
    ],
    # 7: time queries read the window's sequence numbers and kinds from the index alone (issue 11.5)
    [
        "CREATE INDEX events_by_time_kind ON events (site, ts_us, kind)",
        "DROP INDEX events_by_time",
    ],
    # 8: EPCIS capture jobs, so `GET /v1/epcis/capture/{id}` answers after a restart
    [
        """CREATE TABLE capture_jobs (
            id TEXT PRIMARY KEY, site TEXT NOT NULL, created_us INTEGER NOT NULL, job BLOB NOT NULL)""",
        "CREATE INDEX capture_jobs_by_age ON capture_jobs (created_us)",
    ],
    [  # 9: each site's access decision point's snapshot, so a restart replays only the log after it
        "CREATE TABLE access_snapshots (site TEXT PRIMARY KEY, seq INTEGER NOT NULL, data BLOB NOT NULL)",
    ],
]


# The entity index lives in its own file (``index.db``, attached as ``idx``): it is a projection,
# rebuilt from the log, written without fsync, and by the engine worker process while the node
# appends to the log, so the two never wait for each other's write lock. Each row carries its
# event's time and kind, so queries by entity and time or kind are answered from the index alone.
_INDEX_TABLE = """CREATE TABLE IF NOT EXISTS idx.{name} (
    site TEXT NOT NULL, etype TEXT NOT NULL, eid TEXT NOT NULL, seq INTEGER NOT NULL,
    ts_us INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (site, etype, eid, seq)) WITHOUT ROWID"""
_INDEX_BY_TIME = ("CREATE INDEX IF NOT EXISTS idx.entities_by_time ON entities (site, etype, eid, ts_us, kind) "
                  f"WHERE {TIMED_ENTITIES}")
_INDEX_PROGRESS = "CREATE TABLE idx.entity_progress (site TEXT PRIMARY KEY, seq INTEGER NOT NULL)"
"""Per site: the last log position the index has taken (a batch with no rows to file moves it too),
written in the index's own transaction, so the start reads one row instead of a ``MAX`` over the index."""


def ensure_index(conn: sqlite3.Connection) -> None:
    """Create the attached entity index, or bring one written before it had times and kinds up to
    date (its rows get them from the log, in one transaction)."""
    columns = {row[1] for row in conn.execute("PRAGMA idx.table_info(entities)")}
    with conn:
        if columns and "ts_us" not in columns:
            conn.execute(_INDEX_TABLE.format(name="entities_v2"))
            conn.execute("INSERT INTO idx.entities_v2 (site, etype, eid, seq, ts_us, kind) "
                         "SELECT x.site, x.etype, x.eid, x.seq, e.ts_us, e.kind "
                         "FROM idx.entities x JOIN events e ON e.site = x.site AND e.seq = x.seq")
            conn.execute("DROP TABLE idx.entities")
            conn.execute("ALTER TABLE idx.entities_v2 RENAME TO entities")
        conn.execute(_INDEX_TABLE.format(name="entities"))
        by_time = conn.execute("SELECT sql FROM idx.sqlite_master WHERE name = 'entities_by_time'").fetchone()
        if by_time is not None and "WHERE" not in by_time[0]:
            conn.execute("DROP INDEX idx.entities_by_time")  # written before it left EPCs out: made again, once
        conn.execute(_INDEX_BY_TIME)
        if conn.execute("SELECT 1 FROM idx.sqlite_master WHERE name = 'entity_progress'").fetchone() is None:
            conn.execute(_INDEX_PROGRESS)  # an index written before it kept its progress: from its rows, once
            conn.execute("INSERT INTO idx.entity_progress SELECT site, MAX(seq) FROM idx.entities GROUP BY site")


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; return the version reached."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        raise MigrationError(
            f"database schema version {version} is newer than this Stockade ({len(MIGRATIONS)}); upgrade"
        )
    for number in range(version, len(MIGRATIONS)):
        try:
            with conn:
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")
        except sqlite3.Error as e:
            raise MigrationError(f"migration {number + 1} failed: {e}") from e
    return len(MIGRATIONS)
