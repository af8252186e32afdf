"""Risk scores with exponential decay on event time (stockade.engine.risk)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from stockade.engine.risk import RiskModel, RiskParams
from stockade.site import SiteConfig, load_site
from tests.unit.engine.correlation_helpers import alert, at


@pytest.fixture(scope="module")
def site(demo_site_path: Path) -> SiteConfig:
    return load_site(demo_site_path)


def test_nothing_known_scores_zero() -> None:
    assert RiskModel().score("person", "emp-1", at(0)) == 0.0
    assert RiskModel().top("person", 5, at(0)) == []


def test_an_alert_raises_every_entity_it_names(site: SiteConfig) -> None:
    risk = RiskModel(site)
    risk.observe(alert("al-1", "STK-ACC-005", "high", 0, people=["emp-1001"], credentials=["badge:1001"],
                       zones=["hv-cage"], devices=["R-HV-1"], doors=["D-HV"]))
    for etype, eid in (("person", "emp-1001"), ("credential", "badge:1001"), ("zone", "hv-cage"),
                       ("device", "R-HV-1")):
        assert risk.score(etype, eid, at(0)) == pytest.approx(56.54, abs=0.01)
    assert risk.score("person", "emp-1002", at(0)) == 0.0


def test_a_credential_implies_its_holder_and_a_person_their_vendor(site: SiteConfig) -> None:
    vendor_person = next(p for p in site.people if p.vendor)
    risk = RiskModel(site)
    risk.observe(alert("al-1", "STK-VEN-001", "medium", 0, credentials=vendor_person.credentials[:1]))
    assert risk.score("person", vendor_person.id, at(0)) > 0
    assert vendor_person.vendor is not None
    assert risk.score("vendor", vendor_person.vendor, at(0)) > 0


def test_risk_halves_its_weight_every_half_life() -> None:
    risk = RiskModel(params=RiskParams(half_life_s=3600))
    risk.add("zone", "dock-out", 20.0, at(0))
    assert risk.weight("zone", "dock-out", at(60)) == pytest.approx(10.0)
    assert risk.weight("zone", "dock-out", at(120)) == pytest.approx(5.0)
    assert risk.score("zone", "dock-out", at(120)) < risk.score("zone", "dock-out", at(60))


def test_scores_accumulate_and_saturate_below_100() -> None:
    risk = RiskModel()
    for i in range(50):
        risk.observe(alert(f"al-{i}", "STK-PER-001", "critical", i, zones=["perimeter"]))
    s = risk.score("zone", "perimeter", at(50))
    assert 99.0 < s <= 100.0


def test_late_alerts_count_as_of_their_own_time() -> None:
    in_order, late = RiskModel(), RiskModel()
    a1 = alert("al-1", "STK-ACC-001", "medium", 0, people=["p"])
    a2 = alert("al-2", "STK-ACC-001", "high", 30, people=["p"])
    in_order.observe(a1)
    in_order.observe(a2)
    late.observe(a2)
    late.observe(a1)
    assert late.score("person", "p", at(90)) == pytest.approx(in_order.score("person", "p", at(90)))


def test_anomaly_scores_add_risk_in_proportion() -> None:
    risk = RiskModel()
    risk.observe_anomaly("person", "p1", 1.0, at(0))
    risk.observe_anomaly("person", "p2", 0.5, at(0))
    risk.observe_anomaly("person", "p3", 7.0, at(0))  # clamped to 1
    risk.observe_anomaly("epc", "e1", 1.0, at(0))  # not a scored entity type
    assert risk.weight("person", "p1", at(0)) == pytest.approx(2 * risk.weight("person", "p2", at(0)))
    assert risk.score("person", "p3", at(0)) == risk.score("person", "p1", at(0))
    assert risk.weights.get(("epc", "e1")) is None


def test_top_lists_the_riskiest_first() -> None:
    risk = RiskModel()
    risk.add("person", "a", 5.0, at(0))
    risk.add("person", "b", 50.0, at(0))
    risk.add("person", "c", 5.0, at(0))
    risk.add("zone", "z", 99.0, at(0))
    assert [eid for eid, _ in risk.top("person", 2, at(10))] == ["b", "a"]
    assert [eid for eid, _ in risk.top("person", 10, at(10))] == ["b", "a", "c"]


def test_decayed_entities_are_forgotten() -> None:
    risk = RiskModel(params=RiskParams(half_life_s=60))
    risk.add("person", "p", 10.0, at(0))
    risk.forget(at(60 * 24))
    assert risk.weights == {}


def test_a_snapshot_is_plain_json_and_restores_the_same_scores(site: SiteConfig) -> None:
    risk = RiskModel(site)
    risk.observe(alert("al-1", "STK-DOR-001", "high", 0, doors=["D-HV"], zones=["hv-cage"]))
    risk.observe_anomaly("person", "emp-1001", 0.8, at(5))
    data = json.loads(json.dumps(risk.snapshot()))
    back = RiskModel.from_snapshot(data, site)
    later = at(0) + timedelta(hours=3)
    assert back.score("zone", "hv-cage", later) == risk.score("zone", "hv-cage", later)
    assert back.top("person", 3, later) == risk.top("person", 3, later)
    assert back.params == risk.params


def test_explain_names_the_alerts_that_weigh_most_decayed_to_now(site: SiteConfig) -> None:
    """Issue 12.5: a person's score explains its top contributions."""
    risk = RiskModel(site)
    old = alert("al-old", "STK-ACC-001", "high", 0, people=["emp-1001"])
    recent = alert("al-new", "STK-ACC-002", "medium", 6 * 60, credentials=["badge:1001"])  # via the badge
    other = alert("al-other", "STK-DOR-001", "critical", 6 * 60, people=["emp-1002"])
    later = alert("al-later", "STK-ACC-003", "critical", 7 * 60, people=["emp-1001"])
    for a in (old, recent, other):
        risk.observe(a)
    now = at(6 * 60)
    why = risk.explain([old, recent, other, later], "person", "emp-1001", now)
    assert [c.alert for c in why] == ["al-old", "al-new"]  # 25 halved after 6 h (12.5) > 10; not the others'
    assert why[0].weight == pytest.approx(12.5)
    assert sum(c.share for c in why) == pytest.approx(1.0, abs=0.01)  # alerts are all of this weight
    assert risk.explain([old, recent], "person", "emp-1001", now, n=1)[0].alert == "al-old"
    assert risk.explain([old], "person", "emp-9999", now) == []
