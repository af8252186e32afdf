from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stockade.sim.run import ListSink, SimResult, simulate
from stockade.sim.scenario import ATTACK_TYPES, Scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "examples" / "sites" / "dc-demo.yaml"
OPS = ROOT / "examples" / "scenarios-novel" / "sites" / "dc-demo-ops.yaml"  # dc-demo with a change-management source


def make(tmp: Path | None = None, **over: object) -> Scenario:
    doc: dict[str, object] = {"scenario": "t", "site": str(SITE), "start": "2026-11-23T00:00:00+01:00",
                              "duration": "2d", "seed": 9}
    doc.update(over)
    return parse_scenario(yaml.safe_load(yaml.safe_dump(doc)), "test.yaml")


def run(sc: Scenario) -> tuple[SimResult, ListSink]:
    sink = ListSink()
    return simulate(sc, sink), sink


@pytest.fixture(scope="session")
def all_attacks() -> tuple[SimResult, ListSink]:
    return run(make(duration="4d", seed=5, site=str(OPS), attacks=[{"type": t} for t in ATTACK_TYPES]))
