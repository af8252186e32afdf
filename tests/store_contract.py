"""The behaviour every Store must have; run against SQLite (unit) and PostgreSQL (integration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stockade.events import Access, Door, Envelope, canonical_event
from stockade.ledger.seal import RowSeal
from stockade.store import ApiKeyRecord, EventQuery, Store

T0 = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def door(i: int, site: str = "s1", door_id: str = "D1") -> Door:
    return Door(id=f"d{i}", ts=T0 + timedelta(seconds=i), site=site, source="ctl", door=door_id, state="open")


def grant(i: int, person: str, site: str = "s1") -> Access:
    return Access(id=f"a{i}", ts=T0 + timedelta(seconds=i), site=site, source="ctl", door="D2",
                  result="granted", factors=["badge"], subject=person, credential=f"badge:{person}")


def append(store: Store, site: str, events: list[Envelope]) -> list[tuple[str, int]]:
    res = store.append(site, events, [canonical_event(e) for e in events])
    accepted = [(r.seq, e) for r, e in zip(res, events, strict=True) if r.status == "accepted"]
    store.index_entities(site, accepted)
    return [(r.status, r.seq) for r in res]


def check_sequencing_and_dedup(store: Store) -> None:
    assert append(store, "s1", [door(1), door(2)]) == [("accepted", 1), ("accepted", 2)]
    # a repeated id is a no-op reported as duplicate, within a batch and across batches
    assert append(store, "s1", [door(2), door(3), door(3)]) == [
        ("duplicate", 2), ("accepted", 3), ("duplicate", 3)]
    # sites are numbered independently
    assert append(store, "s2", [door(1, site="s2")]) == [("accepted", 1)]
    assert store.last_seq("s1") == 3
    assert [r.seq for r in store.read("s1")] == [1, 2, 3]
    # Stockade's own outputs commit without waiting for the disk, in the same sequence; sync flushes
    res = store.append("s1", [door(4)], [canonical_event(door(4))], wait_for_disk=False)
    assert [(r.status, r.seq) for r in res] == [("accepted", 4)]
    store.sync()
    assert sorted(store.sites()) == ["s1", "s2"]
    # the event-time clock late events are flagged against: the latest ts among given kinds
    assert store.latest_ts_us("s1", ["door"]) == int((T0 + timedelta(seconds=4)).timestamp() * 1_000_000)
    assert store.latest_ts_us("s1", ["access", "tick"]) is None
    assert store.latest_ts_us("s9", ["door"]) is None


def check_queries(store: Store) -> None:
    append(store, "s1", [door(1), grant(2, "emp-1"), door(3, door_id="D9"), grant(4, "emp-2")])
    got = store.get("s1", "a2")
    assert got is not None
    assert got.seq == 2
    assert isinstance(got.event, Access)
    assert got.event.subject == "emp-1"
    assert store.get("s1", "nope") is None
    by_kind = store.query(EventQuery("s1", kinds=("access",)))
    assert [s.event.id for s in by_kind] == ["a2", "a4"]
    by_time = store.query(EventQuery("s1", since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=4)))
    assert [s.event.id for s in by_time] == ["a2", "d3"]
    by_person = store.query(EventQuery("s1", entity=("person", "emp-2")))
    assert [s.event.id for s in by_person] == ["a4"]
    by_door = store.query(EventQuery("s1", entity=("door", "D9")))
    assert [s.event.id for s in by_door] == ["d3"]
    newest = store.query(EventQuery("s1", limit=1, newest_first=True))
    assert [s.seq for s in newest] == [4]
    assert store.indexed_seq("s1") == 4
    store.index_entities("s1", [(4, got.event)])  # idempotent


def check_keys_and_snapshots(store: Store) -> None:
    key = ApiKeyRecord("k1", "hash", ("ingest",), site="s1", sources=("ctl", "nvr"), label="door ctl",
                       kinds=("access", "door"))
    store.put_key(key)
    assert store.get_key("k1") == key
    store.put_key(ApiKeyRecord("k1", "hash", ("ingest",), site="s1", revoked=True))
    got = store.get_key("k1")
    assert got is not None
    assert got.revoked
    assert [k.key_id for k in store.list_keys()] == ["k1"]
    assert store.load_snapshot("s1") is None
    store.save_snapshot("s1", 10, b"state")
    store.save_snapshot("s1", 20, b"state2")
    assert store.load_snapshot("s1") == (20, b"state2")


def check_seals_and_audit_reads(store: Store, seal: RowSeal) -> None:
    """A store opened with the node's seal seals every row; audits read every column and the index."""
    append(store, "s1", [door(1), grant(2, "emp-1"), door(3, door_id="D9")])
    rows = list(store.read_rows("s1"))
    assert [(r.seq, r.id, r.kind) for r in rows] == [(1, "d1", "door"), (2, "a2", "access"), (3, "d3", "door")]
    assert all(seal.check("s1", r.seq, r.id, r.kind, r.ts_us, r.entry, r.mac) for r in rows)
    assert not seal.check("s2", rows[0].seq, rows[0].id, rows[0].kind, rows[0].ts_us, rows[0].entry, rows[0].mac)
    assert [r.seq for r in store.read_rows("s1", after_seq=1, upto=2)] == [2]
    assert store.count("s1") == 3
    index = list(store.read_index("s1", 2))
    assert [i.seq for i in index] == sorted(i.seq for i in index)
    assert {(i.seq, i.etype, i.eid) for i in index} == {
        (1, "door", "D1"), (2, "door", "D2"), (2, "person", "emp-1"), (2, "credential", "badge:emp-1")}
