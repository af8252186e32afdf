"""Every expected error of every command family is one line on stderr that says what to do, exit 2;
only a bug keeps its traceback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner, Result

from stockade.cli import app
from stockade.cli.errors import StockadeGroup
from stockade.node.ingest import Principal
from stockade.node.lock import DataDirLock
from tests.conftest import DEMO_SITE
from tests.node_fixtures import door_line, make_node

runner = CliRunner()


def one_error_line(result: Result) -> str:
    """The single stderr line of an expected error (and the checks that make it one)."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data directory with the demo site and 5 events."""
    node = make_node(tmp_path / "data")
    node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(5)], Principal.operator())
    node.stop()
    return tmp_path / "data"


@pytest.fixture
def busy(data: Path) -> Iterator[Path]:
    """The data directory, held as a running node holds it."""
    lock = DataDirLock.acquire(data)
    yield data
    lock.release()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stockade.toml of the checkout, nothing written beside it


def test_ingest_of_a_missing_file_says_so_before_it_looks_at_the_lock(busy: Path) -> None:
    line = one_error_line(runner.invoke(app, ["ingest", "nope.ndjson", "--data-dir", str(busy)]))
    assert "cannot read nope.ndjson" in line


def test_ingest_into_a_directory_a_running_node_holds(busy: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.ndjson"
    events.write_bytes(door_line("x1") + b"\n")
    line = one_error_line(runner.invoke(app, ["ingest", str(events), "--data-dir", str(busy)]))
    assert "in use by another Stockade process" in line
    assert "send events to its API instead" in line


def test_serve_on_a_busy_directory(busy: Path) -> None:
    line = one_error_line(runner.invoke(app, ["serve", "--data-dir", str(busy), "--port", "1"]))
    assert "stop it" in line


def test_init_with_a_bad_site_file_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: x\nzones: 3\n", encoding="utf-8")
    line = one_error_line(runner.invoke(app, ["init", "--site", str(bad), "--data-dir", str(tmp_path / "d")]))
    assert "bad.yaml" in line
    assert "fix the site file" in line
    assert not (tmp_path / "stockade.toml").exists()


def test_bad_settings_file(tmp_path: Path) -> None:
    (tmp_path / "stockade.toml").write_text('port = "eighty"\n', encoding="utf-8")
    line = one_error_line(runner.invoke(app, ["apikey", "list"]))
    assert "port" in line
    assert "fix stockade.toml" in line


@pytest.mark.parametrize(("args", "says"), [
    (["apikey", "create", "--scope", "root"], "scope"),
    (["apikey", "revoke", "k-nope"], "no key 'k-nope'"),
])
def test_apikey(data: Path, args: list[str], says: str) -> None:
    assert says in one_error_line(runner.invoke(app, [*args, "--data-dir", str(data)]))


def test_keys(data: Path, tmp_path: Path) -> None:
    assert "stockade simulate" in one_error_line(runner.invoke(app, ["keys", "import", "nope.json",
                                                                     "--data-dir", str(data)]))
    bad = tmp_path / "bad.json"
    bad.write_text('{"devices": {"G-1": "tooshort"}}', encoding="utf-8")
    assert "32 bytes" in one_error_line(runner.invoke(app, ["keys", "import", str(bad), "--data-dir", str(data)]))
    assert "32 bytes" in one_error_line(runner.invoke(app, ["keys", "add-device", "G-1", "AAAA",
                                                            "--data-dir", str(data)]))


def test_keys_import_under_a_running_node_changes_nothing(busy: Path, tmp_path: Path) -> None:
    keys = tmp_path / "k.json"
    real = Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()
    keys.write_text('{"devices": {"G-1": "' + real + '"}}', encoding="utf-8")
    assert "in use" in one_error_line(runner.invoke(app, ["keys", "import", str(keys), "--data-dir", str(busy)]))
    assert not (busy / "devices.json").exists()


@pytest.mark.parametrize(("args", "says"), [
    (["ledger", "prove", "nope"], "no event 'nope'"),
    (["ledger", "prove"], "give an EVENT_ID"),
    (["ledger", "verify", "x", "--vkey", "not-a-vkey"], "vkey"),
    (["ledger", "verify", "x"], "--vkeys FILE"),
    (["ledger", "verify", "x", "--vkeys", "nope.txt"], "cannot read the vkeys file nope.txt"),
])
def test_ledger(data: Path, args: list[str], says: str) -> None:
    extra = ["--data-dir", str(data)] if args[1] == "prove" else []
    assert says in one_error_line(runner.invoke(app, [*args, *extra]))


def test_site(data: Path, tmp_path: Path) -> None:
    assert "stockade site load" in one_error_line(runner.invoke(app, ["site", "show", "nowhere",
                                                                      "--data-dir", str(data)]))
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: [", encoding="utf-8")
    assert "invalid site file" in one_error_line(runner.invoke(app, ["site", "load", str(bad)]))


def test_policy(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text("cases: [", encoding="utf-8")
    assert "cannot run the cases" in one_error_line(runner.invoke(app, ["policy", "test", str(cases)]))


def test_simulate_analyze_eval(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("scenario: x\n", encoding="utf-8")
    assert "s.yaml" in one_error_line(runner.invoke(app, ["simulate", str(bad)]))
    assert "no such file" in one_error_line(runner.invoke(app, ["analyze", "--site", str(DEMO_SITE), "n.ndjson"]))
    assert "go together" in one_error_line(runner.invoke(app, ["eval", "--labels", "l.json"]))
    (tmp_path / "empty").mkdir()
    assert "no scenario files" in one_error_line(runner.invoke(app, ["eval", str(tmp_path / "empty")]))


def test_witness(tmp_path: Path) -> None:
    line = one_error_line(runner.invoke(app, ["witness", "trust-log", "stockade/x", "nope",
                                              "--data-dir", str(tmp_path)]))
    assert "vkey" in line


def test_demo_and_bench(tmp_path: Path) -> None:
    (tmp_path / "precious").mkdir()
    assert "not a demo directory" in one_error_line(
        runner.invoke(app, ["demo", "--headless", "--data-dir", str(tmp_path / "precious")]))
    assert "no benchmark nope" in one_error_line(runner.invoke(app, ["bench", "nope"]))


def test_a_long_message_is_not_wrapped(tmp_path: Path) -> None:
    long_dir = tmp_path / ("d" * 120)
    shutil.copytree(DEMO_SITE.parent, long_dir)
    line = one_error_line(runner.invoke(app, ["site", "show", "x", "--data-dir", str(long_dir)]))
    assert "d" * 120 in line


def test_a_bug_keeps_its_traceback() -> None:
    probe = typer.Typer(cls=StockadeGroup)

    @probe.command()
    def broken() -> None:
        raise RuntimeError("a bug")

    @probe.command()
    def other() -> None:
        """A second command, so the first is a subcommand."""

    result = runner.invoke(probe, ["broken"])
    assert isinstance(result.exception, RuntimeError)
