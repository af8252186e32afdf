"""Schema migrations of the PostgreSQL store; ``stockade_schema`` records the version.

Same tables as the SQLite store, with PostgreSQL types. Never edit a shipped
migration; append a new one.
"""

from __future__ import annotations

import psycopg

from stockade.store.errors import MigrationError
from stockade.store.event_sql import TIMED_ENTITIES

MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE events (
            site TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
            ts_us BIGINT NOT NULL, entry BYTEA NOT NULL, PRIMARY KEY (site, seq))""",
        "CREATE UNIQUE INDEX events_by_id ON events (site, id)",
        "CREATE INDEX events_by_time ON events (site, ts_us)",
        "CREATE INDEX events_by_kind ON events (site, kind, seq)",
        """CREATE TABLE entities (
            site TEXT NOT NULL, etype TEXT NOT NULL, eid TEXT NOT NULL, seq BIGINT NOT NULL,
            PRIMARY KEY (site, etype, eid, seq))""",
        """CREATE TABLE api_keys (
            key_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, scopes TEXT NOT NULL,
            site TEXT, sources TEXT NOT NULL, label TEXT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT FALSE)""",
        "CREATE TABLE snapshots (site TEXT PRIMARY KEY, seq BIGINT NOT NULL, data BYTEA NOT NULL)",
    ],
    # 2: each event row's seal (an HMAC under the node's key, stockade.ledger.seal)
    ["ALTER TABLE events ADD COLUMN mac BYTEA"],
    [  # 3: an ingest key's kinds (issue 18.1); empty: the device kinds
        "ALTER TABLE api_keys ADD COLUMN kinds TEXT NOT NULL DEFAULT ''",
    ],
    [  # 4: the incident projection (current state of each incident, folded from the log)
        """CREATE TABLE incidents (
            site TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL, opened_us BIGINT NOT NULL,
            state BYTEA NOT NULL, PRIMARY KEY (site, id))""",
        "CREATE INDEX incidents_by_opening ON incidents (opened_us, site, id)",
        "CREATE INDEX incidents_by_status ON incidents (site, status, opened_us)",
        "CREATE TABLE incident_progress (site TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
    ],
    # 5: connectors: the webhook outbox and the SIEM export cursors
    [
        """CREATE TABLE outbox (
            ord BIGSERIAL PRIMARY KEY, msg_id TEXT NOT NULL UNIQUE, destination TEXT NOT NULL,
            body BYTEA NOT NULL, created_us BIGINT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
            next_us BIGINT NOT NULL, last_error TEXT NOT NULL)""",
        "CREATE INDEX outbox_heads ON outbox (status, destination, ord)",
        """CREATE TABLE export_cursors (
            destination TEXT NOT NULL, site TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (destination, site))""",
    ],
    [  # 6: an analyst or admin key's roles (approving playbook steps, issue 14); empty: none
        "ALTER TABLE api_keys ADD COLUMN roles TEXT NOT NULL DEFAULT ''",
    ],
    # 7: queries that do not scan (issue 11.5): the entity index carries each event's time and kind,
    # and the time indexes give a window's sequence numbers and kinds from the index alone
    [
        "ALTER TABLE entities ADD COLUMN ts_us BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE entities ADD COLUMN kind TEXT NOT NULL DEFAULT ''",
        "UPDATE entities x SET ts_us = e.ts_us, kind = e.kind FROM events e WHERE e.site = x.site AND e.seq = x.seq",
        "CREATE INDEX entities_by_time ON entities (site, etype, eid, ts_us, kind) INCLUDE (seq)",
        "CREATE INDEX events_by_time_kind ON events (site, ts_us, kind) INCLUDE (seq)",
        "DROP INDEX events_by_time",
    ],
    # 8: EPCIS capture jobs, so `GET /v1/epcis/capture/{id}` answers after a restart
    [
        """CREATE TABLE capture_jobs (
            id TEXT PRIMARY KEY, site TEXT NOT NULL, created_us BIGINT NOT NULL, job BYTEA NOT NULL)""",
        "CREATE INDEX capture_jobs_by_age ON capture_jobs (created_us)",
    ],
    [  # 9: the cluster: each site's tlog-tiles files (tiles, entry bundles, checkpoints), shared by the workers
        "CREATE TABLE tiles (site TEXT NOT NULL, path TEXT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (site, path))",
    ],
    [  # 10: the cluster's fencing tokens: who may write a site's log now (store/postgres/fence.py)
        "CREATE TABLE site_fence (site TEXT PRIMARY KEY, token BIGINT NOT NULL, owner TEXT NOT NULL)",
    ],
    [  # 11: each site's access decision point's snapshot, so a restart replays only the log after it
        "CREATE TABLE access_snapshots (site TEXT PRIMARY KEY, seq BIGINT NOT NULL, data BYTEA NOT NULL)",
    ],
    [  # 12: the entity index's progress per site, so a start reads one row instead of a MAX over the index
        "CREATE TABLE entity_progress (site TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
        "INSERT INTO entity_progress SELECT site, MAX(seq) FROM entities GROUP BY site",
    ],
    [  # 13: the entity time index without EPCs (stockade.store.event_sql.TIMED_ENTITIES)
        "DROP INDEX entities_by_time",
        f"CREATE INDEX entities_by_time ON entities (site, etype, eid, ts_us, kind) INCLUDE (seq) "
        f"WHERE {TIMED_ENTITIES}",
    ],
]


def migrate(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    with conn.transaction():
        conn.execute("CREATE TABLE IF NOT EXISTS stockade_schema (version INTEGER NOT NULL)")
        conn.execute("LOCK TABLE stockade_schema IN EXCLUSIVE MODE")
        row = conn.execute("SELECT version FROM stockade_schema").fetchone()
        version = int(str(row[0])) if row else 0
        if row is None:
            conn.execute("INSERT INTO stockade_schema VALUES (0)")
        if version > len(MIGRATIONS):
            raise MigrationError(
                f"database schema version {version} is newer than this Stockade ({len(MIGRATIONS)})"
            )
        try:
            for number in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement.encode())
                conn.execute("UPDATE stockade_schema SET version = %s", (number + 1,))
        except psycopg.Error as e:
            raise MigrationError(f"migration failed: {e}") from e
    return len(MIGRATIONS)
