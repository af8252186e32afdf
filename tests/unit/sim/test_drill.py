"""Drills (stockade.sim.drill and ``stockade drill``): a simulated attack, recording ports, a scorecard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from stockade.cli.app import app
from stockade.sim.drill import run_drill
from stockade.sim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[3] / "examples" / "scenarios" / "attack-tailgating.yaml"


def test_an_unattended_drill_runs_the_playbooks_in_drill_mode_and_misses_the_targets(tmp_path: Path) -> None:
    card = run_drill(load_scenario(SCENARIO), work_dir=tmp_path / "d1")
    assert card.rows
    assert card.unmarked == 0  # every response action is marked drill
    assert card.requests > 0  # the ports recorded; nothing was sent anywhere
    assert all(r.acknowledge_s is None for r in card.rows)
    assert not any(r.met for r in card.rows)
    # evidence is captured in a drill too: the node's ledger watch does not run, so the bundle's
    # checkpoint is signed after an audit of its own (without it, signing was held and the step stalled)
    assert len(list((tmp_path / "d1" / "evidence").rglob("*.evidence.json"))) == len(card.rows)


def test_a_desk_that_acknowledges_in_time_meets_the_acknowledgement_target(tmp_path: Path) -> None:
    card = run_drill(load_scenario(SCENARIO), ack_after=timedelta(seconds=90), work_dir=tmp_path / "d2")
    assert card.rows
    assert all(r.acknowledge_s == 90 for r in card.rows)


def test_the_command_prints_a_scorecard() -> None:
    result = CliRunner().invoke(app, ["drill", str(SCENARIO), "--ack-after", "60s"])
    assert "Drill attack-tailgating" in result.stdout
    assert "acknowledge ≤ 3 min" in result.stdout
    assert result.exit_code == 0, result.stdout  # acknowledged in a minute, nothing failed: every target met
