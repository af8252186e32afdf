"""The live picture (node/live.py): the commit hook only queues, the picture folds what was queued,
an overflowed queue is rebuilt from the log with the same answer, and nothing is folded twice."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from stockade.node import live as live_module
from stockade.node.ingest import Principal
from stockade.node.live import LivePicture
from stockade.node.runtime import Node
from tests.node_fixtures import door_line, make_node, now_iso


def _access(event_id: str, subject: str, door: str, offset_s: float) -> bytes:
    return msgspec.json.encode({"id": event_id, "kind": "access", "ts": now_iso(offset_s), "site": "dc-demo",
                                "source": "ctl-1", "door": door, "credential": f"badge:{subject}",
                                "subject": f"emp-{subject}", "result": "granted", "direction": "in",
                                "factors": ["badge"]})


def _day(node: Node, n: int) -> None:
    lines = [_access(f"a{i}", str(1001 + i % 7), ("D-LOBBY", "D-TURNSTILE", "D-FLOOR")[i % 3], -600 + i)
             for i in range(n)]
    lines.append(door_line("d1", state="forced"))
    report = node.ingestor.ingest_lines(lines, Principal.operator())
    assert report.accepted == n + 1


def _people(picture: LivePicture) -> dict[str, int]:
    return {z.zone: z.people for z in picture.zones if z.people}


def test_the_picture_folds_what_was_committed_since_it_was_last_asked_for(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data")
    try:
        assert node.live.picture("dc-demo").people_on_site == 0
        _day(node, 21)
        assert node.live._held["dc-demo"] == 22  # queued, not folded, until somebody looks
        picture = node.live.picture("dc-demo")
        assert node.live._held["dc-demo"] == 0
        assert picture.people_on_site == 7
        assert picture.doors["D-HV"] == "forced"
    finally:
        node.stop()


def test_an_overflowed_queue_gives_the_same_picture_from_the_log(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    node = make_node(tmp_path / "data")
    try:
        _day(node, 21)
        folded = node.live.picture("dc-demo")
        monkeypatch.setattr(live_module, "MAX_PENDING", 5)
        monkeypatch.setattr(live_module, "WATCHED_S", 0.0)  # nobody looks while the next batch comes
        day_two = [_access(f"b{i}", str(1001 + i % 7), "D-PACK", -300 + i) for i in range(12)]
        assert node.ingestor.ingest_lines(day_two, Principal.operator()).accepted == 12
        assert node.live._held["dc-demo"] == 0
        assert "dc-demo" in node.live._rebuild
        rebuilt = node.live.picture("dc-demo")
        assert rebuilt.people_on_site == folded.people_on_site == 7
        assert _people(rebuilt) != _people(folded)  # the second batch moved them, as the log says
    finally:
        node.stop()


def test_a_batch_the_rebuild_already_read_is_not_folded_again(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data")
    try:
        _day(node, 21)
        node.live.replay("dc-demo")  # reads the whole log
        before = node.live._states["dc-demo"].events_seen
        rows = list(node.store.read("dc-demo"))
        node.live.apply("dc-demo", [(row.seq, row.event) for row in rows])  # the same batches, queued late
        node.live.picture("dc-demo")
        assert node.live._states["dc-demo"].events_seen == before
    finally:
        node.stop()


def test_a_watched_site_keeps_a_longer_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    node = make_node(tmp_path / "data")
    try:
        monkeypatch.setattr(live_module, "MAX_PENDING", 5)
        node.live.picture("dc-demo")  # somebody looks: the map asks every few seconds
        _day(node, 21)
        assert "dc-demo" not in node.live._rebuild
        assert node.live.picture("dc-demo").people_on_site == 7  # folded, not rebuilt
        monkeypatch.setattr(live_module, "WATCHED_S", 0.0)  # nobody has looked for a while
        day_two = [_access(f"b{i}", str(1001 + i % 7), "D-PACK", -300 + i) for i in range(12)]
        assert node.ingestor.ingest_lines(day_two, Principal.operator()).accepted == 12
        assert "dc-demo" in node.live._rebuild
    finally:
        node.stop()


def test_a_one_shot_recovery_leaves_the_picture_to_its_first_look(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data")
    try:
        _day(node, 21)
        before_restart = node.live.picture("dc-demo")
    finally:
        node.stop()
    again = make_node(tmp_path / "data")  # as `stockade ingest` opens it: recover, never start
    try:
        again.recover()
        assert "dc-demo" in again.live._rebuild  # nothing of the log read for a picture nobody asked for
        assert again.live.picture("dc-demo") == before_restart  # the first look reads it
        assert "dc-demo" not in again.live._rebuild
    finally:
        again.stop()
