"""The store's fence: once a newer owner claimed a site, the old one's writes of its log fail and write nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from stockade.store.postgres import PostgresStore
from stockade.store.postgres.fence import Fenced, Fences
from stockade.store.postgres.tiles import PostgresTiles
from tests import store_contract as contract
from tests.integration.pg import throwaway_database

pytestmark = pytest.mark.postgres
GUARD_S = 60  # a guard against a hang, not a speed check


@pytest.fixture
def dsn() -> Iterator[str]:
    with throwaway_database("stockade_fence") as name:
        yield name


def test_a_stale_owner_writes_no_event_tile_snapshot_or_incident(dsn: str) -> None:
    old_fences, new_fences = Fences(), Fences()
    old, new = PostgresStore.open(dsn, fences=old_fences), PostgresStore.open(dsn, fences=new_fences)
    old_tiles, new_tiles = PostgresTiles.open(dsn, fences=old_fences), PostgresTiles.open(dsn, fences=new_fences)
    old.claim("s1", 5, "w-old")
    assert contract.append(old, "s1", [contract.door(1)]) == [("accepted", 1)]
    old_tiles.write("s1", "checkpoint", b"old checkpoint")
    old.save_snapshot("s1", 1, b"old snapshot")

    new.claim("s1", 9, "w-new")  # the lease expired and another worker took the partition
    with pytest.raises(Fenced, match="w-new"):
        contract.append(old, "s1", [contract.door(2)])
    assert old_fences.lost() == {"s1"}
    for write in (lambda: old_tiles.write("s1", "checkpoint", b"forked"),
                  lambda: old.save_snapshot("s1", 2, b"stale"),
                  lambda: old.put_incidents("s1", [], 2)):
        with pytest.raises(Fenced):
            write()
    assert new.count("s1") == 1
    assert new_tiles.read("s1", "checkpoint") == b"old checkpoint"
    assert new.load_snapshot("s1") == (1, b"old snapshot")
    assert new.incidents_seq("s1") == 0

    assert contract.append(new, "s1", [contract.door(2)]) == [("accepted", 2)]
    new_tiles.write("s1", "checkpoint", b"new checkpoint")
    with pytest.raises(Fenced, match="newer token"):
        old.claim("s1", 5, "w-old")  # a stale lease cannot take the site back
    with pytest.raises(Fenced, match="no fencing token"):
        old.save_snapshot("s2", 1, b"never claimed")
    unfenced = PostgresStore.open(dsn)  # the embedded node's store: no fences, writes as before
    assert contract.append(unfenced, "s2", [contract.door(1, site="s2")]) == [("accepted", 1)]
    assert [r.seq for r in new.read("s1")] == [1, 2]
    assert new_tiles.read("s1", "checkpoint") == b"new checkpoint"
    for closing in (old, new, unfenced, old_tiles, new_tiles):
        closing.close()


def test_a_claim_waits_for_a_write_in_flight_and_a_later_write_sees_it(dsn: str) -> None:
    """The row lock orders them: what the old owner commits comes before the claim, nothing after."""
    PostgresStore.open(dsn).close()  # the schema
    old_fences, new = Fences(), PostgresStore.open(dsn, fences=Fences())
    with psycopg.connect(dsn, autocommit=True) as conn:
        old_fences.claim(conn, "s1", 5, "w-old")
        claimed = threading.Event()
        with conn.transaction():
            old_fences.check(conn, "s1")  # a write in flight holds the fence row
            taking = threading.Thread(target=lambda: (new.claim("s1", 9, "w-new"), claimed.set()), daemon=True)
            taking.start()
            deadline = time.monotonic() + GUARD_S
            while not _waits_on_a_lock(conn) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _waits_on_a_lock(conn), "the claim waits for the write's transaction"
            assert not claimed.is_set()
        taking.join(GUARD_S)
        assert claimed.is_set()
        with pytest.raises(Fenced), conn.transaction():
            old_fences.check(conn, "s1")
    new.close()


def _waits_on_a_lock(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
    row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()").fetchone()
    return row is not None and row[0] == 1
