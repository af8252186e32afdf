"""Issue 18.3 and 18.5: a tampered disk cannot get into the signed log.

Each test edits the SQLite store, the tiles or the data directory while the node is stopped,
then starts it, and sees the start refused with a line naming the damage and the command to
investigate; or, for damage the fast start-up check does not read, the running audit freezing
the log and raising STK-LED-001.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from stockade.events import Alert, canonical_event, decode_event
from stockade.ledger.checkpoint import parse_checkpoint
from stockade.ledger.errors import LogStateError
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog, ledger_dir
from stockade.ledger.note import parse_note
from stockade.ledger.seal import load_or_create_row_seal
from stockade.node import ledgers as ledgers_module
from stockade.node.ingest import Principal
from stockade.node.ledger_check import LedgerDamageError
from stockade.node.runtime import Node
from stockade.store import EventQuery
from stockade.store.sqlite import SqliteStore
from tests.node_fixtures import Api, door_line, make_node

SITE = "dc-demo"
AUDIT = "investigate with `stockade ledger audit --site dc-demo`"


def _filled(data: Path, n: int) -> Path:
    node = make_node(data)
    report = node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(n)], Principal.operator())
    assert report.count("accepted") == n
    node.stop()  # a final checkpoint, remembered outside the data directory
    return data


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return _filled(tmp_path / "data", 300)


def _sql(data: Path, *statements: str) -> None:
    store = SqliteStore.open(data)
    for sql in statements:
        store.execute_raw(sql)
    store.close()


def _refused(data: Path) -> str:
    with pytest.raises(LedgerDamageError) as info:
        make_node(data)
    message = str(info.value)
    assert "\n" not in message
    assert AUDIT in message
    return message


def _log_size(data: Path) -> int:
    note = (ledger_dir(data, SITE) / "checkpoint").read_bytes()
    return parse_checkpoint(parse_note(note).text).size


def _ledger_alerts(node: Node) -> list[Alert]:
    rows = node.store.query(EventQuery(SITE, kinds=("alert",), limit=1000))
    return [e for e in (r.event for r in rows) if isinstance(e, Alert) and e.detector == "STK-LED-001"]


def test_an_untouched_data_directory_starts(data: Path) -> None:
    node = make_node(data)
    assert node.ledgers.logs[SITE].size == 300
    assert not node.ledgers.damage
    node.stop()


def test_a_row_inserted_while_stopped_is_never_signed(data: Path) -> None:
    forged = decode_event(door_line("forged"))
    store = SqliteStore.open(data)  # anyone who can write the database, without the node's key
    store.append(SITE, [forged], [canonical_event(forged)])
    store.close()
    message = _refused(data)
    assert "row 300 is past the log's end and was not written by this node" in message
    assert _log_size(data) == 300


def test_a_sealed_row_copied_to_another_sequence_number_is_refused(data: Path) -> None:
    _sql(data, "INSERT INTO events (site, seq, id, kind, ts_us, entry, mac) "
               "SELECT site, 301, 'copy', kind, ts_us, entry, mac FROM events WHERE seq = 3")
    assert "row 300's id column says 'copy'" in _refused(data)
    _sql(data, "UPDATE events SET id = 'e2x', entry = CAST(replace(CAST(entry AS TEXT), '\"e2\"', '\"e2x\"') "
               "AS BLOB) WHERE seq = 301")
    assert "was not written by this node" in _refused(data)


def test_the_nodes_own_tail_after_a_crash_is_appended(data: Path) -> None:
    late = [decode_event(door_line(f"late{i}")) for i in range(3)]
    store = SqliteStore.open(data, seal=load_or_create_row_seal(data / "keys"))  # as the node wrote them
    store.append(SITE, late, [canonical_event(e) for e in late])
    store.close()
    node = make_node(data)
    assert node.ledgers.logs[SITE].size == 303
    node.stop()


@pytest.mark.parametrize(("statements", "named"), [
    (["DELETE FROM events WHERE seq = 10"], "the store has 299 rows for sequence numbers 1..300: rows were deleted"),
    (["DELETE FROM events WHERE seq = 300"], "the log has 300 entries but the store only 299"),
    (["UPDATE events SET entry = CAST(replace(CAST(entry AS TEXT), 'open', 'shut') AS BLOB) WHERE seq = 290"],
     "row 289 differs from log entry 289"),
    (["UPDATE events SET kind = 'tick' WHERE seq = 295"], "row 294's kind column says 'tick'"),
    (["UPDATE events SET ts_us = ts_us + 3600000000 WHERE seq = 296"], "row 295's ts_us column says"),
    (["UPDATE events SET seq = -1 WHERE seq = 280", "UPDATE events SET seq = 280 WHERE seq = 281",
      "UPDATE events SET seq = 281 WHERE seq = -1"], "row 279 differs from log entry 279"),
])
def test_store_edits_at_the_tail_refuse_the_start(data: Path, statements: list[str], named: str) -> None:
    _sql(data, *statements)
    assert named in _refused(data)


def _flip(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


def test_a_damaged_tile_on_the_right_edge_refuses_the_start(data: Path) -> None:
    _flip(ledger_dir(data, SITE) / "tile" / "0" / "000", 100)
    assert "tile tile/0/000 does not hold the hashes of entry bundle tile/entries/000" in _refused(data)


def test_a_damaged_entry_bundle_refuses_the_start(data: Path) -> None:
    bundle = next((ledger_dir(data, SITE) / "tile" / "entries" / "001.p").iterdir())
    raw = bundle.read_bytes()
    bundle.write_bytes(raw.replace(b'"open"', b'"shut"', 1))
    assert "does not hash to its tile" in _refused(data) or "do not match its checkpoint" in _refused(data)


def test_a_checkpoint_signed_by_another_key_refuses_the_start(data: Path, tmp_path: Path) -> None:
    other = load_or_create_log_keys(tmp_path / "other-keys").signer(f"stockade/{SITE}")
    log = SiteLog.open(ledger_dir(data, SITE), f"stockade/{SITE}", other)
    log.checkpoint(keep=True)
    log.close()
    assert "is not signed by this log's keys" in _refused(data)


def test_a_rollback_of_the_data_directory_is_refused(tmp_path: Path) -> None:
    data = _filled(tmp_path / "data", 100)
    shutil.copytree(data, tmp_path / "old")
    node = make_node(data)
    node.ingestor.ingest_lines([door_line(f"more{i}") for i in range(50)], Principal.operator())
    node.stop()
    shutil.rmtree(data)
    shutil.copytree(tmp_path / "old", data)  # the attacker puts back the older copy, store and log together
    message = _refused(data)
    assert "the log holds 100 entries, but this node signed a checkpoint at size 150" in message
    assert "the data directory was rolled back" in message


def test_accept_damage_starts_frozen_and_raises_the_alert(data: Path) -> None:
    forged = decode_event(door_line("forged"))
    store = SqliteStore.open(data)
    store.append(SITE, [forged], [canonical_event(forged)])
    store.close()
    node = make_node(data, accept_damage=True)
    try:
        node.start()
        log = node.ledgers.logs[SITE]
        assert log.frozen is not None
        with pytest.raises(LogStateError, match="frozen"):
            log.checkpoint()
        node.ingestor.ingest_lines([door_line("after")], Principal.operator())
        assert log.size == 300  # nothing more enters the log while it is damaged
        assert node.wait_for_engine(SITE)
        alerts = _ledger_alerts(node)
        assert [a.severity for a in alerts] == ["critical"]
        assert "was not written by this node" in alerts[0].summary
    finally:
        node.stop()
    assert _log_size(data) == 300


def test_a_renamed_id_deep_in_the_log_is_caught_by_the_running_audit(tmp_path: Path) -> None:
    data = _filled(tmp_path / "data", 600)
    # rename a signed row's id: its original could then be accepted again, a second time in the log
    _sql(data, "UPDATE events SET id = 'renamed' WHERE seq = 5")
    node = make_node(data, ledger_audit_interval_s=3600.0)
    try:
        node.start()  # the start-up check reads the tail only; the running audit reads every row
        before = node.ledger_watch.audits
        # wait for the watch's first audit (its thread runs it at start), however loaded the machine:
        # a bound on the number of polls made this test fail whenever the audit thread started late
        deadline = time.monotonic() + 120
        while node.ledger_watch.audits == before and not node.ledgers.logs[SITE].frozen:
            assert time.monotonic() < deadline, "the ledger watch never finished its first audit"
            time.sleep(0.02)
        log = node.ledgers.logs[SITE]
        assert log.frozen == "row 4's id column says 'renamed'; its entry says 'e4'"
        report = node.ingestor.ingest_lines([door_line("e4")], Principal.operator())
        assert report.results[0].status == "accepted"  # the store's dedup was defeated ...
        assert log.size == 600  # ... but the duplicate does not enter the log, and nothing more is signed
        assert node.wait_for_engine(SITE)
        (alert,) = _ledger_alerts(node)
        assert "failed its audit check: row 4's id column says 'renamed'" in alert.summary
    finally:
        node.stop()
    assert _log_size(data) == 600


def test_the_start_up_check_is_a_function_of_its_own() -> None:
    assert Node.__init__.__code__.co_names.count("open_checked_ledgers") == 1


def test_serve_refuses_a_damaged_ledger_with_one_line(data: Path) -> None:
    from typer.testing import CliRunner

    from stockade.cli import app

    _sql(data, "DELETE FROM events WHERE seq = 299")
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(data), "--port", "1"])
    assert result.exit_code == 2  # could not run as asked (cli/errors.py)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: the dc-demo ledger does not check out: the store has 299 rows")
    assert AUDIT in lines[0]


def test_a_proof_that_fails_its_own_check_is_never_served(api: Api) -> None:
    node = api.node
    node.ingestor.ingest_lines([door_line(f"p{i}") for i in range(600)], Principal.operator())
    node.ledgers.checkpoint_all()
    log = node.ledgers.logs[SITE]
    log.close()  # every full tile on disk
    good = api.client.get(f"/v1/ledger/{SITE}/proof/p300", headers=api.auth("read"))
    assert good.status_code == 200
    _flip(ledger_dir(node.settings.data_dir, SITE) / "tile" / "0" / "000", 5 * 32)  # leaf 5, sibling of 4
    bad = api.client.get(f"/v1/ledger/{SITE}/proof/p4", headers=api.auth("read"))
    assert bad.status_code == 500
    assert "does not verify against the checkpoint" in bad.json()["detail"]
    assert log.frozen is not None
    assert node.wait_for_engine(SITE)
    (alert,) = _ledger_alerts(node)
    assert "failed its proof check" in alert.summary


def test_a_one_shot_command_audits_before_it_signs(tmp_path: Path) -> None:
    data = _filled(tmp_path / "data", 600)
    _sql(data, "UPDATE events SET id = 'renamed' WHERE seq = 5")
    node = make_node(data)  # as `stockade ingest` opens it: no background watch
    report = node.ingestor.ingest_lines([door_line("e4")], Principal.operator())
    assert report.results[0].status == "accepted"
    node.stop()  # the final checkpoint audits first, finds the renamed row, and signs nothing
    assert node.ledgers.logs[SITE].frozen == "row 4's id column says 'renamed'; its entry says 'e4'"
    assert _log_size(data) == 600


def _audits(monkeypatch: pytest.MonkeyPatch, hold: threading.Event | None = None) -> list[int]:
    """The ``upto`` of every positional audit the ledgers run from now (each held on ``hold`` first)."""
    audited: list[int] = []
    audit = ledgers_module.positional_audit

    def spy(log: SiteLog, store: SqliteStore, site: str, upto: int, *args: object) -> str | None:
        if hold is not None:
            assert hold.wait(60)  # still reading while the command works
        audited.append(upto)
        return audit(log, store, site, upto)

    monkeypatch.setattr(ledgers_module, "positional_audit", spy)
    return audited


def test_a_one_shot_commands_audit_reads_the_rows_it_found_not_the_ones_it_wrote(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _filled(tmp_path / "data", 600)
    audited = _audits(monkeypatch)
    node = make_node(data)
    node.ingestor.ingest_lines([door_line(f"n{i}") for i in range(50)], Principal.operator())
    node.stop()
    assert audited == [600]  # the rows there at open; the 50 this process appended are not read again
    assert _log_size(data) == 650  # and the checkpoint signs them all


def test_a_one_shot_commands_audit_runs_beside_its_recovery_and_finds_an_edit_before_its_stop(
        tmp_path: Path) -> None:
    data = _filled(tmp_path / "data", 600)
    _sql(data, "UPDATE events SET id = 'renamed' WHERE seq = 5")
    node = make_node(data)
    node.recover()  # as `stockade ingest` starts: the audit that releases signing runs beside it
    audit = node.ledgers._opened_audit
    assert audit is not None
    audit.join(60)
    assert node.ledgers.logs[SITE].frozen == "row 4's id column says 'renamed'; its entry says 'e4'"
    node.ingestor.ingest_lines([door_line("late-1")], Principal.operator())  # kept in the store
    node.stop()  # signs nothing
    assert _log_size(data) == 600


def test_a_one_shot_commands_stop_waits_for_the_audit_beside_it_instead_of_reading_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _filled(tmp_path / "data", 600)
    released = threading.Event()
    audited = _audits(monkeypatch, hold=released)
    node = make_node(data)
    node.recover()
    report = node.ingestor.ingest_lines([door_line(f"n{i}") for i in range(50)], Principal.operator())
    assert report.accepted == 50
    assert audited == []  # the command's work went on beside the audit
    released.set()
    node.stop()
    assert audited == [600]  # once, beside the work; the stop waited for it instead of reading again
    assert _log_size(data) == 650


def test_a_full_tile_a_crash_did_not_write_is_rebuilt_not_refused(data: Path) -> None:
    tile = ledger_dir(data, SITE) / "tile" / "0" / "000"
    tile.unlink()  # the writer thread had written the bundle, not yet the tile
    node = make_node(data)
    assert node.ledgers.logs[SITE].size == 300
    node.stop()
    assert tile.stat().st_size == 256 * 32


def test_a_new_data_directory_at_the_same_path_is_not_a_rollback(tmp_path: Path) -> None:
    data = _filled(tmp_path / "data", 50)
    shutil.rmtree(data)  # `stockade demo` replaces its directory: new keys, a new log
    fresh = _filled(data, 10)
    assert _log_size(fresh) == 10


def test_a_proof_asked_for_before_the_first_audit_passed_is_a_503(api: Api) -> None:
    node = api.node
    log = node.ledgers.logs[SITE]
    assert log.audited.wait(10)
    log.audited.clear()  # as right after a start, before the running audit has finished
    log.hold_s = 0.01
    node.ingestor.ingest_lines([door_line("q1")], Principal.operator())
    r = api.client.get(f"/v1/ledger/{SITE}/proof/q1", headers=api.auth("read"))
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert "signs nothing until the node's audit" in r.json()["detail"]
    assert log.frozen is None
