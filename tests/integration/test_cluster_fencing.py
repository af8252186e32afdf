"""A worker paused (SIGSTOP) in the middle of a commit, past its lease, is fenced by PostgreSQL.

Worker A's append is made to wait on the site's advisory lock (which the test holds), so A is inside
its commit, past its own lease check, when it is stopped. Its lease expires, worker B takes the site
and claims it in the store, and commits; then A is resumed. A's commit must fail on the store's
fence, and A must write nothing more — no event, tile, snapshot or incident row (a trigger records
which connection wrote each row) — and the log must verify and hold the store's rows, unforked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stockade.api.app import create_app
from stockade.cli import app as cli_app
from stockade.connectors.nats.config import ClusterSettings
from stockade.events.ids import is_output_id
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog
from stockade.node.keys import new_key
from stockade.node.roles.api import ApiNode
from stockade.node.settings import Settings
from stockade.store.postgres import PostgresStore
from stockade.store.postgres.tiles import PostgresTiles
from tests.integration.cluster_fixtures import nats_server, until
from tests.integration.pg import throwaway_database
from tests.node_fixtures import door_line, make_node

pytestmark = [pytest.mark.nats, pytest.mark.postgres, pytest.mark.slow]
LEASE_S = 3.0
GUARD_S = 120  # a guard against a hang on a loaded machine, not a speed check
SITE = "dc-demo"
AUDIT = [
    "CREATE TABLE write_audit (n BIGSERIAL PRIMARY KEY, tbl TEXT NOT NULL, app TEXT NOT NULL)",
    """CREATE FUNCTION audit_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         INSERT INTO write_audit (tbl, app) VALUES (TG_TABLE_NAME, current_setting('application_name'));
         RETURN NULL; END $$""",
    *(f"CREATE TRIGGER audit_{t} AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION audit_write()"
      for t in ("events", "tiles", "snapshots", "incidents", "incident_progress")),
]




@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    with throwaway_database("stockade_fencing") as dsn, nats_server(tmp_path / "nats") as server:
        make_node(tmp_path / "data", postgres_dsn=dsn).stop()  # the demo site, the keys, the schema
        with psycopg.connect(dsn, autocommit=True) as conn:
            for statement in AUDIT:
                conn.execute(statement.encode())
        settings = Settings(data_dir=tmp_path / "data", postgres_dsn=dsn, ledger_state_dir=tmp_path / "state",
                            cluster=ClusterSettings(nats_url=server.url, partitions=1, lease_s=LEASE_S))
        yield settings, dsn


def test_a_paused_worker_resumed_after_a_take_over_commits_nothing(tmp_path: Path, env: tuple[Settings, str]
                                                                   ) -> None:
    settings, dsn = env
    store = PostgresStore.open(dsn)
    token, record = new_key(("ingest",), site=SITE, sources=("ctl-1",))
    store.put_key(record)
    logs: list[IO[bytes]] = []
    workers: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str) -> None:
        logs.append((tmp_path / f"{name}.log").open("wb"))
        cluster = {"nats_url": settings.cluster.nats_url, "partitions": 1, "lease_s": LEASE_S, "worker_id": name}
        workers[name] = subprocess.Popen(
            [sys.executable, "-m", "stockade", "serve", "--role", "worker", "--data-dir", str(settings.data_dir)],
            stdout=subprocess.DEVNULL, stderr=logs[-1],
            env={**os.environ, "STOCKADE_SITES": "[]", "STOCKADE_POSTGRES_DSN": f"{dsn} application_name={name}",
                 "STOCKADE_LEDGER_STATE_DIR": str(settings.ledger_state_dir), "STOCKADE_CLUSTER": json.dumps(cluster)})

    def sql(query: str, *params: object) -> object:
        row = store._conn.execute(query.encode(), params).fetchone()
        return None if row is None else row[0]

    def inputs() -> list[str]:
        return [r.event.id for r in store.read(SITE) if not is_output_id(r.event.id)]

    api = ApiNode.open_role(settings)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    lock = psycopg.connect(dsn, autocommit=True)
    try:
        with TestClient(create_app(api)) as client:
            def send(prefix: str) -> None:
                body = b"\n".join(door_line(f"{prefix}{i}") for i in range(50))
                assert client.post("/v1/events", content=body, headers=headers).json()["accepted"] == 50

            start("wA")
            until("A claims the site", lambda: sql("SELECT owner FROM site_fence WHERE site=%s", SITE) == "wA")
            send("a")
            until("A commits the first events", lambda: len(inputs()) == 50)

            lock.execute("SELECT pg_advisory_lock(hashtext(%s))", (SITE,))  # A's next append waits on it
            send("b")
            until("A waits inside its commit", lambda: sql(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name='wA' AND wait_event_type='Lock'") == 1)
            workers["wA"].send_signal(signal.SIGSTOP)
            start("wB")
            until("B takes the site and claims it", lambda: sql(
                "SELECT owner FROM site_fence WHERE site=%s", SITE) == "wB")
            mark = sql("SELECT COALESCE(max(n), 0) FROM write_audit")
            lock.execute("SELECT pg_advisory_unlock(hashtext(%s))", (SITE,))
            workers["wA"].send_signal(signal.SIGCONT)

            until("B commits what A had fetched", lambda: len(inputs()) == 100)
            send("c")
            until("B commits the rest", lambda: len(inputs()) == 150)
            a_log = tmp_path / "wA.log"
            until("A was refused by the store's fence", lambda: "fenced:" in a_log.read_text())
            until("A dropped the site", lambda: "owns partitions []" in a_log.read_text())
        for name in ("wA", "wB"):  # SIGTERM: A has nothing to write; B snapshots and checkpoints (and after
            # B's clean stop A could take the site again, legitimately, with a newer token: so A stops first)
            workers[name].send_signal(signal.SIGTERM)
            assert workers[name].wait(GUARD_S) == 0
        zombie = store._conn.execute(b"SELECT n, tbl FROM write_audit WHERE app='wA' AND n > %s", (mark,)).fetchall()
        assert zombie == [], f"the resumed worker wrote nothing: {zombie}\n{(tmp_path / 'wA.log').read_text()}"
        assert sql("SELECT count(*) FROM write_audit WHERE app='wB'") != 0
        logged = inputs()
        assert sorted(logged) == sorted(f"{p}{i}" for p in "abc" for i in range(50)), "each event once"
        assert [r.seq for r in store.read(SITE)] == list(range(1, store.last_seq(SITE) + 1)), "no gap, no fork"

        keys = load_or_create_log_keys(settings.data_dir / "keys")
        origin = api.sites[SITE].ledger_origin
        vkeys = [a for v in keys.vkeys(origin) for a in ("--vkey", v)]
        url = f"postgresql://postgres@127.0.0.1:5432/{dsn.rpartition('dbname=')[2]}#{SITE}"
        result = CliRunner().invoke(cli_app, ["ledger", "verify", url, *vkeys])
        assert result.exit_code == 0, result.output
        tiles = PostgresTiles.open(dsn)
        ledger = SiteLog.open(tmp_path / "unused", origin, keys.signer(origin), files=tiles.site(SITE))
        rows = [r.entry for r in store.read(SITE)]
        assert 150 <= ledger.size <= len(rows)
        assert [ledger.entry(i) for i in range(ledger.size)] == rows[: ledger.size], "the tiles hold the store's log"
        tiles.close()
    finally:
        for proc in workers.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.kill()
                proc.wait()
        for f in logs:
            f.close()
        lock.close()
        store.close()
