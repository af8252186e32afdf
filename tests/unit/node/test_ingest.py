"""The ingest binding (node/ingest.py Principal): a key's and a connector's binding are enforced alike."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from stockade.events import Envelope
from stockade.node.ingest import Principal
from stockade.node.sequencer import COMMIT_CHUNK
from stockade.site.sources import DEVICE_KINDS
from stockade.store import ApiKeyRecord, AppendResult
from tests.node_fixtures import door_line, make_node, now_iso


def admin_line(event_id: str, source: str) -> bytes:
    return msgspec.json.encode({"id": event_id, "kind": "admin", "ts": now_iso(-30), "site": "dc-demo",
                                "source": source, "actor": "it-01", "action": "grant_access",
                                "target": "emp-1001", "zone": "hv-cage"})


def test_a_connectors_binding_is_enforced_like_a_keys(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data")
    try:
        mqtt = Principal("mqtt:stockade/dc-demo/events/ctl-1", "dc-demo", frozenset({"ctl-1"}))
        report = node.ingestor.ingest_body(b"\n".join([
            door_line("m1"), admin_line("m2", "ctl-1"), door_line("m3", source="ctl-2"),
            door_line("m4", site="dc-other"),
        ]), principal=mqtt)
        got = [(r.status, r.field) for r in report.results]
        assert got == [("accepted", None), ("rejected", "kind"), ("rejected", "source"), ("rejected", "site")]
        assert all(str(r.reason).startswith("forbidden") for r in report.results[1:3])
        assert [r.code for r in report.results] == [None, "forbidden", "forbidden", "invalid"]  # dc-other: unknown
    finally:
        node.stop()


def test_a_key_stored_before_kinds_existed_sends_device_kinds_only() -> None:
    old = ApiKeyRecord("k1", "", ("ingest",), site="dc-demo", sources=("ctl-1",))
    principal = Principal.for_key(old)
    assert principal.kinds == DEVICE_KINDS
    assert principal.sources == frozenset({"ctl-1"})


def test_the_operator_may_name_any_source_but_the_site_rules_hold(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data")
    try:
        report = node.ingestor.ingest_body(b"\n".join([
            door_line("o1", source="any-controller"), admin_line("o2", "iam"), admin_line("o3", "ctl-9"),
            door_line("o4", source="stockade:pdp"),
        ]), principal=Principal.operator())
        assert [r.status for r in report.results] == ["accepted", "accepted", "rejected", "rejected"]
    finally:
        node.stop()


def test_the_nodes_clock_limit_is_honoured_and_stated(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data", max_future_s=30)
    try:
        ahead = msgspec.json.encode({"id": "f1", "kind": "door", "ts": now_iso(120), "site": "dc-demo",
                                     "source": "ctl-1", "door": "D-HV", "state": "open"})
        report = node.ingestor.ingest_body(ahead, principal=Principal.operator())
        (result,) = report.results
        assert (result.status, result.field) == ("rejected", "ts")
        assert "more than 30 seconds ahead" in str(result.reason)
    finally:
        node.stop()


def test_a_line_that_is_not_an_event_is_invalid_not_forbidden(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data")
    try:
        report = node.ingestor.ingest_body(b'{"id": "x"}\n' + door_line("s1", sig="AAAA"),
                                           principal=Principal.operator())
        assert [(r.status, r.code) for r in report.results] == [("rejected", "invalid"), ("rejected", "signature")]
    finally:
        node.stop()


def test_while_decisions_use_a_site_a_long_batch_commits_in_chunks(tmp_path: Path) -> None:
    """A batch on a site that urgent writers (decisions) use is committed COMMIT_CHUNK events at a
    time, so a decision waits for one chunk at most; the answer is the one a single commit gives."""
    node = make_node(tmp_path / "data")
    try:
        sizes: list[int] = []
        synced: list[bool] = []
        append = node.store.append

        def counted(site: str, events: Sequence[Envelope], entries: Sequence[bytes], **kw: bool
                    ) -> list[AppendResult]:
            sizes.append(len(events))
            synced.append(kw.get("wait_for_disk", True))
            return append(site, events, entries, **kw)

        node.store.append = counted  # type: ignore[method-assign]  # the test observes the commits
        lines = [door_line(f"c{i}") for i in range(COMMIT_CHUNK * 3 + 7)]
        node.ingestor.ingest_lines(lines[:10], Principal.operator())
        assert sizes == [10], "an uncontended site commits a batch at once"
        with node.ingestor.sequencer.hold("dc-demo", urgent=True):
            pass  # a decision was logged
        report = node.ingestor.ingest_lines(lines, Principal.operator())
        assert sizes[1:] == [COMMIT_CHUNK, COMMIT_CHUNK, COMMIT_CHUNK, 7]
        assert synced[1:] == [False, False, False, True]  # the last chunk's sync covers the ones before it
        assert [(r.status, r.seq) for r in report.results] == (
            [("duplicate", n) for n in range(1, 11)] + [("accepted", n) for n in range(11, len(lines) + 1)])
    finally:
        node.stop()
