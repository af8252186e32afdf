"""`stockade ledger audit` holds the store against the log and names each kind of tampering;
`stockade ledger prove EVENT_ID` finds the event in the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli import app
from stockade.node.ingest import Principal
from stockade.store.sqlite import SqliteStore
from tests.node_fixtures import door_line, make_node

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    node = make_node(tmp_path)
    node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(20)], Principal.unrestricted())
    node.stop()
    return tmp_path


def audit(data: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["ledger", "audit", "--data-dir", str(data)])
    return result.exit_code, " ".join(result.output.split())


def test_untouched_store_matches_the_log(data: Path) -> None:
    code, out = audit(data)
    assert code == 0, out
    assert "20 rows match" in out


EDIT = "CAST(replace(CAST(entry AS TEXT), {old!r}, {new!r}) AS BLOB)"


@pytest.mark.parametrize(("statements", "kind"), [
    ([f"UPDATE events SET entry = {EDIT.format(old='open', new='shut')} WHERE seq = 5"], "edited"),
    (["DELETE FROM events WHERE seq = 7"], "deleted"),
    ([f"INSERT INTO events SELECT site, 21, 'forged', kind, ts_us, {EDIT.format(old='e3', new='forged')} "
      "FROM events WHERE seq = 3"], "inserted"),
    (["UPDATE events SET seq = -1 WHERE seq = 4", "UPDATE events SET seq = 4 WHERE seq = 6",
      "UPDATE events SET seq = 6 WHERE seq = -1"], "reordered"),
])
def test_each_tampering_is_found_and_named(data: Path, statements: list[str], kind: str) -> None:
    store = SqliteStore.open(data)
    for sql in statements:
        store.execute_raw(sql)
    store.close()
    code, out = audit(data)
    assert code == 1
    assert kind in out


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
