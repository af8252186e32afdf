"""Late events raise nothing false (issue 9.4).

The reproduction: a node whose site has seen one event stamped now is then given a simulated
stretch of history. Ingested plainly, the history is kept in the log, flagged late, counted, and
raises nothing (before: three "camera offline … still down 5.1 days later" and a lone forced door
named blind_and_grab). Ingested with ``--backfill``, it raises exactly what ``stockade analyze``
of the same file raises.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
import yaml
from typer.testing import CliRunner

from stockade.cli import app
from stockade.events import Incident, Tick
from stockade.events.canonical import canonical_event
from stockade.ledger.devices import DeviceKeys
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.pipeline.analyze import analyze
from stockade.pipeline.inputs import read_files
from stockade.pipeline.loop import ALLOWED_LATENESS
from stockade.sim.run import FileSink, simulate
from stockade.sim.scenario import load_scenario
from stockade.site import load_site

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "examples" / "scenarios" / "attack-blind-and-grab.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """A simulated stretch (three days with a blind-and-grab), its site file and device keys."""
    d = tmp_path_factory.mktemp("history")
    with (d / "events.ndjson").open("wb") as f:
        result = simulate(load_scenario(SCENARIO), FileSink(f))
    site = d / "site.yaml"
    site.write_text(yaml.safe_dump(result.site.model_dump(mode="json", exclude_none=True), sort_keys=False),
                    encoding="utf-8")
    return d / "events.ndjson", site, result.public_keys


def _node_that_saw_now(tmp_path: Path, site_file: Path, keys: dict[str, str]) -> tuple[Path, str]:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    site = load_site(site_file)
    (data / "sites" / f"{site.site}.yaml").write_text(site_file.read_text(encoding="utf-8"), encoding="utf-8")
    registry = DeviceKeys.load(data / "devices.json")
    for source, key in keys.items():
        registry.add(source, key)
    node = Node.open(Settings(data_dir=data))
    node.recover()
    now = Tick(id="now-1", ts=datetime.now(UTC), site=site.site, source="bus")
    report = node.ingestor.ingest_lines([canonical_event(now)], Principal.operator("test"))
    assert [r.status for r in report.results] == ["accepted"]
    node.drain()
    node.stop()
    return data, site.site


def _incidents(data: Path, site: str) -> set[tuple[str, str, str]]:
    node = Node.open(Settings(data_dir=data))
    try:
        latest: dict[str, Incident] = {}
        for row in node.store.read(site):
            event = row.event
            if isinstance(event, Incident):
                latest[event.incident] = event
    finally:
        node.stop()
    return {(i.incident, i.pattern, i.severity) for i in latest.values()}


def _analyzed(events: Path, site_file: Path) -> set[tuple[str, str, str]]:
    found = analyze(load_site(site_file), read_files([events]).events)
    return {(i.incident, i.pattern, i.severity) for i in found.incidents}


@pytest.mark.slow
def test_history_after_the_clock_is_kept_flagged_and_raises_nothing(
        tmp_path: Path, history: tuple[Path, Path, dict[str, str]]) -> None:
    events, site_file, keys = history
    data, site = _node_that_saw_now(tmp_path, site_file, keys)
    result = runner.invoke(app, ["ingest", str(events), "--data-dir", str(data), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = sum(1 for line in events.read_bytes().splitlines() if line.strip())
    assert f"{lines} accepted events are late" in " ".join(result.output.split())
    assert _incidents(data, site) == set()  # before the rule: false device-down and blind_and_grab incidents


@pytest.mark.slow
def test_a_backfill_raises_what_analyze_raises(tmp_path: Path, history: tuple[Path, Path, dict[str, str]]) -> None:
    events, site_file, keys = history
    expected = _analyzed(events, site_file)
    assert any(pattern == "blind_and_grab" for _, pattern, _ in expected)
    data, site = _node_that_saw_now(tmp_path, site_file, keys)
    result = runner.invoke(app, ["ingest", "--backfill", str(events), "--data-dir", str(data), "--quiet"])
    assert result.exit_code == 0, result.output
    assert _incidents(data, site) == expected


def test_the_ingest_answer_flags_late_lines_and_the_metric_counts_them(tmp_path: Path) -> None:
    from tests.node_fixtures import make_node

    node = make_node(tmp_path / "data")
    try:
        now = datetime.now(UTC)

        def line(i: str, ts: datetime) -> bytes:
            return msgspec.json.encode({"id": i, "kind": "door", "ts": ts.isoformat(), "site": "dc-demo",
                                        "source": "ctl-1", "door": "D-HV", "state": "closed"})

        lines = [line("a", now), line("b", now - ALLOWED_LATENESS + timedelta(seconds=1)),
                 line("c", now - ALLOWED_LATENESS - timedelta(seconds=1)), line("a", now - timedelta(days=3))]
        report = node.ingestor.ingest_lines(lines, Principal.operator("test"))
        assert [(r.status, r.late) for r in report.results] == [
            ("accepted", False), ("accepted", False), ("accepted", True), ("duplicate", False)]
        assert report.late_by_site == {"dc-demo": 1}
        assert b'stockade_late_events_total{site="dc-demo"} 1.0' in node.metrics.render()
        assert [row.event.id for row in node.store.read("dc-demo")] == ["a", "b", "c"]  # kept in the log
    finally:
        node.stop()


def test_the_flag_survives_a_restart(tmp_path: Path) -> None:
    """The ingest's clock after a restart is the log's, so a late event is still late."""
    from tests.node_fixtures import make_node

    node = make_node(tmp_path / "data")
    now = datetime.now(UTC)
    tick = Tick(id="t-now", ts=now, site="dc-demo", source="bus")
    node.ingestor.ingest_lines([canonical_event(tick)], Principal.operator("test"))
    node.stop()
    node = Node.open(Settings(data_dir=tmp_path / "data"))
    try:
        old = Tick(id="t-old", ts=now - timedelta(hours=1), site="dc-demo", source="bus")
        report = node.ingestor.ingest_lines([canonical_event(old)], Principal.operator("test"))
        assert [(r.status, r.late) for r in report.results] == [("accepted", True)]
    finally:
        node.stop()
