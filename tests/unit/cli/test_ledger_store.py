"""`stockade ledger audit` holds the store against the log and names each kind of tampering;
`stockade ledger prove EVENT_ID` finds the event in the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli import app
from stockade.events import canonical_event, decode_event
from stockade.ledger.seal import load_or_create_row_seal
from stockade.node.ingest import Principal
from stockade.store.sqlite import SqliteStore
from tests.node_fixtures import door_line, make_node

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    node = make_node(tmp_path)
    node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(20)], Principal.operator())
    assert node.wait_for_engine("dc-demo")  # the entity index is filled too
    node.stop()
    return tmp_path


def audit(data: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["ledger", "audit", "--data-dir", str(data)])
    return result.exit_code, " ".join(result.output.split())


def test_untouched_store_matches_the_log(data: Path) -> None:
    code, out = audit(data)
    assert code == 0, out
    assert "20 rows, their columns and the entity index match" in out


EDIT = "CAST(replace(CAST(entry AS TEXT), {old!r}, {new!r}) AS BLOB)"
COLUMNS = "site, seq, id, kind, ts_us, entry, mac"


def tamper(data: Path, *statements: str) -> None:
    """Edit the SQLite store while the node is stopped."""
    store = SqliteStore.open(data)
    for sql in statements:
        store.execute_raw(sql)
    store.close()


@pytest.mark.parametrize(("statements", "kind", "detail"), [
    ([f"UPDATE events SET entry = {EDIT.format(old='open', new='shut')} WHERE seq = 5"], "edited",
     "row 4 differs from log entry 4"),
    (["DELETE FROM events WHERE seq = 7"], "deleted", "log entry 6 has no row"),
    ([f"INSERT INTO events ({COLUMNS}) SELECT site, 21, 'forged', kind, ts_us, "
      f"{EDIT.format(old='e3', new='forged')}, mac FROM events WHERE seq = 3"], "inserted", "row 20 is not in the log"),
    (["UPDATE events SET seq = -1 WHERE seq = 4", "UPDATE events SET seq = 4 WHERE seq = 6",
      "UPDATE events SET seq = 6 WHERE seq = -1"], "reordered", "row 3 holds log entry 5"),
    # the columns queries read (issue 18.4): the kind hid access events from `kind=access` queries
    (["UPDATE events SET kind = 'tick' WHERE seq = 9"], "column", "row 8's kind column says 'tick'"),
    (["UPDATE events SET ts_us = ts_us - 86400000000 WHERE seq = 10"], "column", "row 9's ts_us column"),
    (["UPDATE events SET id = 'renamed' WHERE seq = 11"], "column", "row 10's id column says 'renamed'"),
    (["UPDATE events SET entry = CAST('{}' AS BLOB) WHERE seq = 14"], "column",
     "row 13's entry has no readable id, kind and ts"),
    # the entity index, in its own file
    (["DELETE FROM idx.entities WHERE seq = 12"], "index", "does not file log entry 11 under door D-HV"),
    (["INSERT INTO idx.entities (site, etype, eid, seq) VALUES ('dc-demo', 'person', 'emp-1001', 13)"], "index",
     "files log entry 12 under person emp-1001, which it does not name"),
])
def test_each_tampering_is_found_and_named(data: Path, statements: list[str], kind: str, detail: str) -> None:
    tamper(data, *statements)
    code, out = audit(data)
    assert code == 1, out
    assert f"{kind} {detail}" in out


def test_rows_the_node_wrote_past_the_logs_end_are_pending_not_inserted(data: Path) -> None:
    # a crash between the store commit and the log append: the node's own (sealed) rows
    event = decode_event(door_line("late"))
    store = SqliteStore.open(data, seal=load_or_create_row_seal(data / "keys"))
    store.append("dc-demo", [event], [canonical_event(event)])
    store.close()
    code, out = audit(data)
    assert code == 0, out
    assert "1 rows the node wrote are not in the log yet" in out


def test_audit_of_a_log_with_a_missing_bundle_gives_a_reason(data: Path) -> None:
    for path in (data / "ledger" / "dc-demo" / "tile" / "entries").glob("*.p/*"):
        path.unlink()
    code, out = audit(data)
    assert code == 2  # the audit could not run: a reason, not a finding
    assert "Traceback" not in out
    assert "entry bundle" in out or "partial" in out, out


def test_prove_an_event_by_id_and_verify_it_offline(data: Path, tmp_path: Path) -> None:
    proof = tmp_path / "e12.tlog-proof"
    result = runner.invoke(app, ["ledger", "prove", "e12", "--out", str(proof), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    vkeys = runner.invoke(app, ["keys", "show", "--vkey", "--data-dir", str(data)]).output.split()
    checked = runner.invoke(app, ["ledger", "verify-proof", str(proof), *[a for v in vkeys for a in ("--vkey", v)]])
    assert checked.exit_code == 0, checked.output
    missing = runner.invoke(app, ["ledger", "prove", "nope", "--data-dir", str(data)])
    assert missing.exit_code == 2
    assert "no event 'nope'" in missing.output


def test_key_rotation_is_logged_in_every_sites_log(data: Path) -> None:
    result = runner.invoke(app, ["keys", "rotate", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "logged the rotation in dc-demo" in result.output
    store = SqliteStore.open(data)
    rows = [r.event for r in store.read("dc-demo") if r.event.kind == "admin"]
    store.close()
    assert [getattr(e, "action", None) for e in rows] == ["rotate_log_key"]
    code, out = audit(data)
    assert code == 0, out


def test_key_rotation_is_refused_while_a_node_runs(data: Path) -> None:
    node = make_node(data)
    try:
        result = runner.invoke(app, ["keys", "rotate", "--data-dir", str(data)])
    finally:
        node.stop()
    assert result.exit_code == 2
    assert "in use by another Stockade process" in " ".join(result.output.split())
