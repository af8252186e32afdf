"""A whole node on PostgreSQL: ingest with per-line results, the ledger level with the store,
detection, and restart from the same database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from stockade.node.ingest import Principal
from stockade.store import EventQuery
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
    report = node.ingestor.ingest_lines(lines, Principal.unrestricted())
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
