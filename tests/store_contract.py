"""The behaviour every Store must have; run against SQLite (unit) and PostgreSQL (integration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import msgspec

from stockade.connectors.webhook.outbox import OutboxEntry
from stockade.events import Access, Device, Door, Entities, Envelope, Incident, Tag, canonical_event
from stockade.events.entities import EntityType, entity_refs
from stockade.incidents.changes import change_event
from stockade.incidents.lifecycle import Transition
from stockade.ledger.seal import RowSeal
from stockade.store import ApiKeyRecord, EventQuery, IncidentCursor, IncidentQuery, Store
from stockade.store.capture_jobs import CaptureJobTables
from stockade.store.incidents import IncidentProjection, page
from stockade.store.outbox import OutboxTables

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
    lead = ApiKeyRecord("k2", "hash", ("analyst",), roles=("duty-manager", "security-lead"))
    store.put_key(lead)
    assert store.get_key("k2") == lead  # a key's roles (approving playbook steps) are kept
    assert store.load_snapshot("s1") is None
    store.save_snapshot("s1", 10, b"state")
    store.save_snapshot("s1", 20, b"state2")
    assert store.load_snapshot("s1") == (20, b"state2")
    # the access decision point's snapshot is kept apart from the engine's
    assert store.load_snapshot("s1", of="access") is None
    store.save_snapshot("s1", 15, b"facts", of="access")
    assert store.load_snapshot("s1", of="access") == (15, b"facts")
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
def incident_version(n: int, incident: str = "inc-1", site: str = "s1", offset_s: int = 0) -> Incident:
    at = T0 + timedelta(seconds=offset_s + n)
    return Incident(id=f"{incident}:{n}", ts=at, site=site, source="stockade/correlation", incident=incident,
                    pattern="door_forced", severity="high", status="new", start=T0, end=at, entities=Entities(),
                    alerts=(f"al-{n}",), evidence=(), summary=f"version {n}")


def check_incident_projection(store: Store) -> None:
    projection = IncidentProjection(store)
    events: list[Envelope] = [incident_version(1, f"inc-{i}", offset_s=i * 10) for i in range(5)]
    events.append(incident_version(2, "inc-0"))
    events.append(change_event("s1", "inc-0", Transition("acknowledged"), actor="k-ann",
                               at=T0 + timedelta(seconds=3), event_id="chg-1"))
    append(store, "s1", events)
    assert store.incidents_seq("s1") == 0
    assert projection.catch_up("s1") == 7
    assert store.incidents_seq("s1") == 7
    got = store.get_incident("s1", "inc-0")
    assert got is not None
    assert (got.status, got.version, got.summary, got.alerts) == ("acknowledged", 3, "version 2", ("al-2",))
    assert projection.catch_up("s1") == 0  # nothing new: nothing folded twice
    # pages: newest opened first, a cursor until the end, never a silent cut
    first = page(store, IncidentQuery("s1", limit=2))
    assert [s.id for s in first.items] == ["inc-4", "inc-3"]
    assert first.next_cursor is not None
    rest = page(store, IncidentQuery("s1", after=IncidentCursor.decode(first.next_cursor), limit=10))
    assert [s.id for s in rest.items] == ["inc-2", "inc-1", "inc-0"]
    assert rest.next_cursor is None
    acked = page(store, IncidentQuery("s1", status="acknowledged"))
    assert [s.id for s in acked.items] == ["inc-0"]
    assert store.get_incident("s2", "inc-0") is None


def check_outbox_and_cursors(store: OutboxTables) -> None:
    """The webhook outbox: idempotent by id, only each destination's oldest pending message is due,
    dead letters listed; the export cursors: per destination and site, overwritten."""
    assert store.outbox_add(OutboxEntry("m1", "desk", b"{}", 100))
    assert not store.outbox_add(OutboxEntry("m1", "desk", b"{}", 100))  # the same intent: queued once
    store.outbox_add(OutboxEntry("m2", "desk", b"{}", 101))
    store.outbox_add(OutboxEntry("m3", "wms", b"{}", 102))
    assert [e.msg_id for e in store.outbox_due(1_000)] == ["m1", "m3"]
    store.outbox_update("m1", "pending", 1, 5_000, "HTTP 503")
    assert [e.msg_id for e in store.outbox_due(1_000)] == ["m3"]  # m2 waits behind m1: order per destination
    (head,) = [e for e in store.outbox_due(5_000) if e.destination == "desk"]
    assert (head.msg_id, head.attempts, head.last_error) == ("m1", 1, "HTTP 503")
    store.outbox_update("m1", "delivered", 2, 0, "")
    store.outbox_update("m3", "dead", 9, 0, "gone")
    assert [e.msg_id for e in store.outbox_due(5_000)] == ["m2"]
    assert [(e.msg_id, e.last_error) for e in store.outbox_list("dead")] == [("m3", "gone")]
    assert store.outbox_counts() == {("desk", "delivered"): 1, ("desk", "pending"): 1, ("wms", "dead"): 1}
    assert store.cursor_get("siem", "s1") == 0
    store.cursor_set("siem", "s1", 7)
    store.cursor_set("siem", "s1", 9)
    store.cursor_set("siem", "s2", 3)
    assert (store.cursor_get("siem", "s1"), store.cursor_get("siem", "s2"), store.cursor_get("x", "s1")) == (9, 3, 0)


def check_thin_index(store: Store) -> None:
    """The entity index files a tag read under its EPC and a device's status changes under the
    device, but not a reader's reads or a heartbeat under the device (``indexed_refs``): an EPC's,
    a person's and a door's history stay whole, the device's is its status changes."""
    epc = "urn:epc:id:sgtin:0614141.107346.7"

    def at(i: int) -> datetime:
        return T0 + timedelta(seconds=i)

    append(store, "s1", [
        Tag(id="t1", ts=at(1), site="s1", source="rdr", reader="R-1", epc=epc),
        Device(id="h1", ts=at(2), site="s1", source="R-1", device="R-1", status="online"),
        Device(id="h2", ts=at(3), site="s1", source="R-1", device="R-1", status="offline"),
        grant(4, "emp-1"), door(5),
        Tag(id="t2", ts=at(6), site="s1", source="rdr", reader="R-1", epc=epc),
    ])
    assert [r.seq for r in store.query(EventQuery("s1", entity=("epc", epc)))] == [1, 6]
    assert [r.seq for r in store.query(EventQuery("s1", entity=("device", "R-1")))] == [3]
    assert [r.seq for r in store.query(EventQuery("s1", entity=("person", "emp-1")))] == [4]
    assert [r.seq for r in store.query(EventQuery("s1", entity=("door", "D1")))] == [5]
    assert [r.seq for r in store.query(EventQuery("s1", kinds=("device",)))] == [2, 3]
    assert store.indexed_seq("s1") == 6
    beat = Device(id="h3", ts=at(7), site="s1", source="R-1", device="R-1", status="online")
    store.index_entities("s1", [(7, beat)])  # nothing to file, and still taken: the start need not read it again
    assert store.indexed_seq("s1") == 7
    store.index_entities("s1", [(2, beat)])  # a batch indexed again (a replay) does not move it back
    assert store.indexed_seq("s1") == 7


def check_query_plans(store: Store) -> None:
    """Every query kind (entity, time, entity and time, kinds, each with paging bounds, both orders)
    answers exactly what a filter of the whole log answers, on a log longer than the probe walk and
    with event times out of sequence order (late and early events). One EPC has more rows than the
    probe walks, so its windows, which the time index leaves out (``TIMED_ENTITIES``), walk its rows."""
    events: list[Envelope] = []
    for i in range(1, 1201):
        offset = i if i % 50 else i - 700  # every 50th event arrives ~700 s late
        at = T0 + timedelta(seconds=offset)
        if i % 3 == 0:
            events.append(_at(grant(i, f"emp-{i % 4}"), at))
        elif i % 4 == 1:
            events.append(Tag(id=f"t{i}", ts=at, site="s1", source="rdr", reader="R-1", epc=_EPCS[i % 8 == 1]))
        else:
            events.append(_at(door(i, door_id=f"D{i % 5}"), at))
    append(store, "s1", events)
    truth = [(n + 1, e) for n, e in enumerate(events)]

    def expect(q: EventQuery) -> list[int]:
        since, until = q.since, q.until
        keep = [seq for seq, e in truth
                if seq > q.after_seq and (q.before_seq is None or seq < q.before_seq)
                and (since is None or e.ts >= since) and (until is None or e.ts < until)
                and (not q.kinds or e.kind in q.kinds)
                and (q.entity is None or q.entity in _refs(e))]
        return (keep[::-1] if q.newest_first else keep)[: q.limit]

    windows = [(None, None), (T0 + timedelta(seconds=100), T0 + timedelta(seconds=160)),
               (T0 + timedelta(seconds=1100), None), (None, T0 + timedelta(seconds=30)),
               (T0 + timedelta(seconds=-600), T0 + timedelta(seconds=1300))]
    filters: list[tuple[tuple[str, ...], tuple[EntityType, str] | None]] = [
        ((), None), (("access",), None), (("access", "door"), None), ((), ("door", "D1")),
        ((), ("person", "emp-2")), (("access",), ("door", "D2")), ((), ("door", "nowhere")),
        ((), ("epc", _EPCS[0])), (("tag", "door"), ("epc", _EPCS[1]))]
    for since, until in windows:
        for kinds, entity in filters:
            for newest in (False, True):
                for after, before, limit in ((0, None, 100), (400, None, 7), (0, 900, 1000), (1190, None, 5)):
                    q = EventQuery("s1", since, until, kinds, entity, after, limit, newest, before)
                    assert [r.seq for r in store.query(q)] == expect(q), q


_EPCS = ("urn:epc:id:sgtin:0614141.107346.1", "urn:epc:id:sgtin:0614141.107346.2")


def _at(event: Envelope, at: datetime) -> Envelope:
    return msgspec.structs.replace(event, ts=at)


def _refs(event: Envelope) -> set[tuple[str, str]]:
    return set(entity_refs(event))


def check_capture_jobs(store: CaptureJobTables) -> None:
    """EPCIS capture jobs: kept by id for their site, the newest MAX_JOBS only."""
    store.job_put("s1", "cap-1", 100, b'{"captureID":"cap-1"}')
    assert store.job_get("s1", "cap-1") == b'{"captureID":"cap-1"}'
    assert store.job_get("s2", "cap-1") is None
    assert store.job_get("s1", "cap-2") is None
    for n in range(2, 6):
        store.job_put("s1", f"cap-{n}", 100 + n, b"{}")
    with patch("stockade.store.capture_jobs.MAX_JOBS", 3):
        store.job_put("s1", "cap-6", 200, b"{}")
    assert [n for n in range(1, 7) if store.job_get("s1", f"cap-{n}") is not None] == [4, 5, 6]
