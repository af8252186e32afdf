"""A whole node on PostgreSQL: ingest with per-line results, the ledger level with the store,
detection, and restart from the same database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from stockade.events import canonical_event, decode_event
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog, ledger_dir
from stockade.ledger.seal import load_or_create_row_seal
from stockade.node.ingest import Principal
from stockade.node.ledger_check import LedgerDamageError
from stockade.store import EventQuery
from stockade.store.audit import audit_store
from stockade.store.postgres import PostgresStore
from tests.node_fixtures import door_line, make_node

pytestmark = pytest.mark.postgres
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@pytest.fixture
def dsn() -> Iterator[str]:
    name = f"stockade_node_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    yield f"host=127.0.0.1 port=5432 user=postgres dbname={name}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)'.encode())


def test_node_on_postgres(tmp_path: Path, dsn: str) -> None:
    node = make_node(tmp_path, postgres_dsn=dsn)
    lines = [door_line("f1", state="forced"), door_line("ok1"), b'{"id": "broken"', door_line("ok1")]
    report = node.ingestor.ingest_lines(lines, Principal.operator())
    assert [r.status for r in report.results] == ["accepted", "accepted", "rejected", "duplicate"]
    assert node.wait_for_engine("dc-demo", timeout=30)
    alerts = node.store.query(EventQuery("dc-demo", kinds=("alert",)))
    assert any(getattr(r.event, "detector", "") == "STK-DOR-001" for r in alerts)
    assert node.ledgers.logs["dc-demo"].size == node.store.last_seq("dc-demo")
    by_door = node.store.query(EventQuery("dc-demo", entity=("door", "D-HV")))
    assert {r.event.id for r in by_door} >= {"f1", "ok1"}
    node.stop()
    again = make_node(tmp_path, postgres_dsn=dsn)
    assert again.store.last_seq("dc-demo") == node.ledgers.logs["dc-demo"].size
    again.stop()


def test_a_row_inserted_into_postgres_while_stopped_is_never_signed(tmp_path: Path, dsn: str) -> None:
    node = make_node(tmp_path, postgres_dsn=dsn)
    node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(10)], Principal.operator())
    node.stop()
    forged = decode_event(door_line("forged"))
    store = PostgresStore.open(dsn)  # a database user, without the node's key
    store.append("dc-demo", [forged], [canonical_event(forged)])
    store.close()
    with pytest.raises(LedgerDamageError, match="row 10 is past the log's end and was not written by this node"):
        make_node(tmp_path, postgres_dsn=dsn)
    store = PostgresStore.open(dsn)
    store.execute_raw("UPDATE events SET kind = 'tick' WHERE seq = 3")
    log = SiteLog.open(ledger_dir(tmp_path, "dc-demo"), "stockade/dc-demo",
                       load_or_create_log_keys(tmp_path / "keys").signer("stockade/dc-demo"))
    report = audit_store(log, store, "dc-demo", load_or_create_row_seal(tmp_path / "keys"))
    store.close()
    assert [(f.kind, f.index) for f in report.findings] == [("column", 2), ("inserted", 10)]
