"""``stockade ingest``: a file is read and committed a batch at a time, refusals named with their
line numbers across batches (and all of them written with ``--rejected-out``), and detection in a
worker process ends where the in-thread engine does."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pytest
from bench.mix import event_lines
from typer.testing import CliRunner

from stockade.cli import app
from stockade.node.runtime import open_store
from stockade.node.settings import Settings
from stockade.store import EventQuery
from tests.conftest import DEMO_SITE

runner = CliRunner()


def _data_dir(root: Path) -> Path:
    data = root / "data"
    (data / "sites").mkdir(parents=True)
    shutil.copy(DEMO_SITE, data / "sites" / "dc-demo.yaml")
    return data


def test_a_file_goes_in_batches_and_every_refusal_keeps_its_line(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stockade.cli.ingest.BATCH", 10)
    lines = event_lines(40)
    bad = {3: b"{not json", 15: b'{"id":"x","kind":"tag"}', 27: lines[4]}  # bad JSON, missing fields, a duplicate id
    for number, text in bad.items():
        lines.insert(number - 1, text)
    events = tmp_path / "mix.ndjson"
    events.write_bytes(b"\n".join(lines) + b"\n")
    refused = tmp_path / "refused.ndjson"
    data = _data_dir(tmp_path)
    result = runner.invoke(app, ["ingest", str(events), "--data-dir", str(data), "--rejected-out", str(refused)])
    assert result.exit_code == 1, result.output  # it ran; two lines were refused
    out = " ".join(result.output.split())
    assert "accepted 40, duplicate 1, rejected 2" in out
    assert f"{events}:3: rejected:" in out
    assert f"{events}:15: rejected:" in out
    written = [msgspec.json.decode(x) for x in refused.read_bytes().splitlines()]
    assert [(r["file"], r["line"], r["code"]) for r in written] == [(str(events), 3, "invalid"),
                                                                    (str(events), 15, "invalid")]
    assert all(r["reason"] for r in written)
    store = open_store(Settings(data_dir=data))
    try:
        assert store.count("dc-demo") >= 40  # the inputs, and whatever detection wrote
        assert store.get("dc-demo", "ev-1-39") is not None
    finally:
        store.close()


def _alerts(data: Path) -> list[str]:
    store = open_store(Settings(data_dir=data))
    try:
        rows = store.query(EventQuery("dc-demo", kinds=("alert",), limit=10_000))
        return sorted(msgspec.json.decode(r.entry)["detector"] for r in rows)
    finally:
        store.close()


def test_detection_in_a_worker_process_ends_where_the_thread_does(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    events = tmp_path / "mix.ndjson"
    events.write_bytes(b"\n".join(event_lines(600)) + b"\n")
    monkeypatch.setattr("stockade.cli.ingest.BATCH", 100)
    thread, worker = _data_dir(tmp_path / "thread"), _data_dir(tmp_path / "worker")
    result = runner.invoke(app, ["ingest", str(events), "--data-dir", str(thread), "--quiet"])
    assert result.exit_code == 0, result.output
    monkeypatch.setattr("stockade.cli.ingest.WORKER_FROM_BYTES", 0)  # any file: the engine in a worker process
    result = runner.invoke(app, ["ingest", str(events), "--data-dir", str(worker), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "accepted 600, duplicate 0, rejected 0" in " ".join(result.output.split())
    found = _alerts(thread)
    assert found  # the mix's badges at doors their roles do not open
    assert _alerts(worker) == found
