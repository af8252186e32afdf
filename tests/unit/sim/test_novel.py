"""The novel tier: its attacks are labelled, its look-alikes are unlabelled and say what they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.events import Admin, Device, Door, Sensor, Stock
from stockade.sim.errors import ScenarioError
from stockade.sim.eval import site_kind
from stockade.sim.score import Figures, Report, groups
from stockade.site import load_site

from .conftest import OPS, ROOT, SITE, make, run


def test_lookalikes_are_generated_unlabelled_and_announced_in_the_site() -> None:
    sc = make(site=str(OPS), duration="3d", lookalikes=[
        {"type": "planned_maintenance", "day": 1, "time": "10:15"},      # Tuesday, in the change window
        {"type": "announced_maintenance", "day": 1, "time": "01:30"},
        {"type": "fire_drill", "day": 2, "time": "14:00", "duration_min": 20},
        {"type": "full_recount", "day": 2, "time": "09:00", "count": 6},
        {"type": "night_patrol", "day": 2, "time": "02:30"},
        {"type": "perimeter_wind", "day": 0, "time": "12:00"},
    ])
    result, sink = run(sc)
    assert result.labels == []
    kinds = {w.kind for w in result.site.planned}
    assert kinds == {"maintenance", "drill"}  # the scenario announced them in the site it ran
    evs = sink.events
    assert sum(isinstance(e, Admin) and e.action == "change_config" and e.source == "cmdb" for e in evs) >= 3
    assert any(isinstance(e, Device) and e.detail == "maintenance" for e in evs)
    assert any(isinstance(e, Door) and e.door.startswith("D-FIRE") and e.state == "held" for e in evs)
    counts = [e for e in evs if isinstance(e, Stock) and e.op == "count" and e.user]
    assert len(counts) == 6
    disarms = [e for e in evs if isinstance(e, Sensor) and e.type == "disarm" and (e.user or "").startswith("grd")]
    assert disarms
    for k in ("planned_maintenance", "fire_drill", "full_recount", "night_patrol", "perimeter_wind"):
        assert result.stats[f"lookalike_{k}"] == 1


def test_planned_maintenance_needs_a_source_for_change_config() -> None:
    sc = make(duration="2d", lookalikes=[{"type": "planned_maintenance", "day": 1, "time": "10:15"}])
    with pytest.raises(ScenarioError, match="declares no source for change_config"):
        run(sc)


def test_lookalike_fields_are_checked() -> None:
    with pytest.raises(ScenarioError, match=r"lookalikes\[0\]\.day"):
        make(duration="2d", lookalikes=[{"type": "fire_drill", "day": 5, "time": "10:00"}])
    with pytest.raises(ScenarioError, match=r"lookalikes\[0\]\.type"):
        make(lookalikes=[{"type": "earthquake", "day": 0, "time": "10:00"}])
    with pytest.raises(ScenarioError, match="tier"):
        make(tier="secret")


def test_site_kinds() -> None:
    assert site_kind(load_site(SITE)) == "night crew"
    north = ROOT / "examples" / "scenarios-novel" / "sites" / "dc-north.yaml"
    assert site_kind(load_site(north)) == "no night crew"


def rep(name: str, tier: str, kind: str, attacks: int, detected: int, false: int, hours: float) -> Report:
    return Report(name, Figures(attacks=attacks, detected=detected, incidents=detected + false,
                                matched_incidents=detected), {}, false, hours, [], tier=tier, site_kind=kind)


def test_groups_report_each_tier_and_each_site_kind_apart() -> None:
    out = groups([rep("a", "catalogue", "k1", 4, 4, 0, 1000), rep("b", "novel", "k1", 5, 4, 1, 500),
                  rep("c", "novel", "k2", 5, 5, 0, 500)])
    assert list(out) == ["catalogue", "catalogue / k1", "novel", "novel / k1", "novel / k2"]
    assert out["novel"].overall.recall == pytest.approx(0.9)
    assert out["novel"].false_per_1000h == pytest.approx(1.0)
    assert out["novel / k2"].overall.precision == 1.0
    assert out["catalogue"].overall.attacks == 4


def test_example_sites_of_the_novel_tier_load(tmp_path: Path) -> None:
    for p in (ROOT / "examples" / "scenarios-novel" / "sites").glob("*.yaml"):
        assert load_site(p).sources_by_id["cmdb"].actions == ["change_config", "disable_device"]


def test_the_documented_lookalikes_block_is_a_valid_scenario_part() -> None:
    text = (ROOT / "docs" / "simulator.md").read_text()
    block = text.split("```yaml\nlookalikes:", 1)[1].split("```", 1)[0]
    import yaml

    specs = yaml.safe_load("lookalikes:" + block)["lookalikes"]
    sc = make(site=str(OPS), duration="6d", lookalikes=specs)
    assert [x.type for x in sc.model.lookalikes] == [
        "planned_maintenance", "announced_maintenance", "fire_drill", "full_recount", "night_patrol",
        "perimeter_wind"]
