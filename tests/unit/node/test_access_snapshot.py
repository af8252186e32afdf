"""A restart loads each site's access snapshot and folds only the log after it; a snapshot that
does not check out (its seal, the site file, the log's end) is said in the log and the whole log is
folded instead, to the same facts."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.mix import event_lines

from stockade.access.facts import FactsSnapshot
from stockade.access.threat import ThreatLevelsView
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from tests.node_fixtures import make_node

SITE = "dc-demo"


def _facts(node: Node) -> tuple[FactsSnapshot, ThreatLevelsView]:
    pdp = node.access.point(SITE)
    return pdp.facts.save(), pdp.threats.save()


def _busy_node(tmp_path: Path) -> tuple[Node, int]:
    """A node whose decision point has folded badges, doors and a lockdown; snapshotted half-way,
    then more of the log after it. Returns the node and the snapshot's position."""
    node = make_node(tmp_path)
    node.recover()
    lines = event_lines(4000, seed=4)
    node.ingestor.ingest_lines(lines[:2000], Principal.operator())
    node.access.set_threat(SITE, "lockdown", zone="hv-cage", actor="analyst-1", at=datetime.now(UTC))
    assert node.access_snapshots is not None
    node.access_snapshots.save(SITE, node.ingestor.sequencer.hold)
    half = node.access_snapshots.saved[SITE]
    node.ingestor.ingest_lines(lines[2000:], Principal.operator())
    node.access.clear_threat(SITE, zone="hv-cage", actor="analyst-1", at=datetime.now(UTC))
    node.access.set_threat(SITE, "elevated", actor="analyst-1", at=datetime.now(UTC))
    return node, half


def _stop_as_killed(node: Node) -> None:
    """Stop without the final snapshot, as a killed node leaves its data directory."""
    node.access_snapshots = None
    node.stop()


def test_a_restart_loads_the_snapshot_and_folds_only_the_log_after_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    node, half = _busy_node(tmp_path)
    expected = _facts(node)
    assert expected[1].site == "elevated"
    assert node.store.last_seq(SITE) > half > 0
    _stop_as_killed(node)

    again = Node.open(Settings(data_dir=tmp_path))
    with caplog.at_level(logging.INFO, logger="stockade.node.runtime"):
        again.recover()
    assert again.access_snapshots is not None
    assert again.access_snapshots.saved[SITE] == half
    assert f"access facts rebuilt from the snapshot at {half} and " in caplog.text
    assert _facts(again) == expected  # the snapshot and the tail: the whole log's fold
    assert again.access.positions[SITE] == again.store.last_seq(SITE)
    again.stop()  # a clean stop saves the decision point at the log's end

    third = Node.open(Settings(data_dir=tmp_path))
    third.recover()
    assert third.access_snapshots is not None
    assert third.access_snapshots.saved[SITE] == third.store.last_seq(SITE)
    assert _facts(third) == expected
    third.stop()


def test_a_node_that_did_not_fold_its_log_saves_no_snapshot(tmp_path: Path) -> None:
    node = make_node(tmp_path)  # opened, never recovered: its facts are not the log's fold
    node.ingestor.ingest_lines(event_lines(200, seed=2), Principal.operator())
    node.stop()
    with sqlite3.connect(tmp_path / "stockade.db") as db:
        assert db.execute("SELECT COUNT(*) FROM access_snapshots").fetchone() == (0,)


def _lift_site_level(seq: int, data: bytes) -> tuple[int, bytes]:
    assert data.count(b'"site":"elevated"') == 1
    return seq, data.replace(b'"site":"elevated"', b'"site":"normal"')


def _move(seq: int, data: bytes) -> tuple[int, bytes]:
    return seq - 1, data


@pytest.mark.parametrize("edit", [_lift_site_level, _move])
def test_an_edited_snapshot_is_not_used_and_the_whole_log_is_folded(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, edit: Callable[[int, bytes], tuple[int, bytes]]) -> None:
    node, _half = _busy_node(tmp_path)
    expected = _facts(node)
    node.stop()  # the final snapshot: the site "elevated", at the log's end
    with sqlite3.connect(tmp_path / "stockade.db") as db:
        seq, data = db.execute("SELECT seq, data FROM access_snapshots WHERE site=?", (SITE,)).fetchone()
        db.execute("UPDATE access_snapshots SET seq=?, data=? WHERE site=?", (*edit(seq, bytes(data)), SITE))

    again = Node.open(Settings(data_dir=tmp_path))
    with caplog.at_level(logging.WARNING, logger="stockade.node.access_snapshot"):
        again.recover()
    assert "its seal does not check out" in caplog.text
    assert "folding the whole log" in caplog.text
    assert _facts(again) == expected
    assert again.access_snapshots is not None
    assert SITE not in again.access_snapshots.saved or again.access_snapshots.saved[SITE] == 0
    again.stop()


def test_a_snapshot_of_another_site_file_or_past_the_log_is_not_used(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    node, _half = _busy_node(tmp_path)
    expected = _facts(node)
    node.stop()
    site_file = tmp_path / "sites" / f"{SITE}.yaml"
    text = site_file.read_text(encoding="utf-8")
    assert "walk_s_per_hop: 20" in text
    site_file.write_text(text.replace("walk_s_per_hop: 20", "walk_s_per_hop: 35"), encoding="utf-8")

    again = Node.open(Settings(data_dir=tmp_path))
    with caplog.at_level(logging.WARNING, logger="stockade.node.access_snapshot"):
        again.recover()
    assert "the site file changed since" in caplog.text
    assert _facts(again) == expected
    snapshots = again.access_snapshots
    assert snapshots is not None
    last = again.store.last_seq(SITE)
    again.stop()  # saves one for the new site file

    caplog.clear()
    later = Node.open(Settings(data_dir=tmp_path))
    assert later.access_snapshots is not None
    with caplog.at_level(logging.WARNING, logger="stockade.node.access_snapshot"):
        assert later.access_snapshots.restore(SITE, last_seq=last - 1) == 0
    assert f"the log ends at {last - 1}" in caplog.text
    assert later.access_snapshots.restore(SITE, last_seq=last) == last
    later.stop()
