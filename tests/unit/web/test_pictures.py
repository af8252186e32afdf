"""The pictures from real data: checkpoint age, shrinkage per week, a person's risk over time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import msgspec

from stockade.engine.risk import RiskModel
from stockade.node.keys import new_key
from stockade.web.charts import bars, risk_curve
from stockade.web.pages import checkpoint_age
from tests.unit.web.conftest import Desk

T = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def test_bars_scale_to_the_largest_value() -> None:
    got = bars([("a", 1.0), ("b", 4.0), ("c", 0.0)], height=40, step=10)
    assert [(b.x, b.y, b.height) for b in got] == [(0, 30.0, 10.0), (10, 0.0, 40.0), (20, 40.0, 0.0)]
    assert bars([]) == []


def test_risk_over_time_is_the_engines_model_read_at_steps() -> None:
    alerts = [{"ts": (T + timedelta(hours=1)).isoformat(), "severity": "high"},
              {"ts": (T + timedelta(hours=2)).isoformat(), "severity": "critical"}]
    curve = risk_curve("emp-1", alerts, T, T + timedelta(hours=8), samples=9)
    assert curve.scores[0] == 0.0
    model = RiskModel()
    model.add("person", "emp-1", 25.0, T + timedelta(hours=1))
    assert curve.scores[1] == model.score("person", "emp-1", T + timedelta(hours=1))
    model.add("person", "emp-1", 50.0, T + timedelta(hours=2))
    assert curve.scores[2] == model.score("person", "emp-1", T + timedelta(hours=2))
    assert curve.scores[2] == max(curve.scores)
    assert list(curve.scores[2:]) == sorted(curve.scores[2:], reverse=True)  # decays after the last alert
    assert curve.alerts == 2
    assert curve.points(width=80, height=10).startswith("0.0,10.0 10.0,")


def test_checkpoint_age_in_words() -> None:
    assert checkpoint_age(None, T) == "no checkpoint yet"
    assert checkpoint_age({"checkpoint_at": None}, T) == "no checkpoint yet"
    assert checkpoint_age({"checkpoint_at": (T - timedelta(seconds=42)).isoformat()}, T) == "42 s ago"
    assert checkpoint_age({"checkpoint_at": (T - timedelta(minutes=5, seconds=3)).isoformat()}, T) == "5 min ago"
    assert checkpoint_age({"checkpoint_at": (T - timedelta(hours=3)).isoformat()}, T) == "3 h ago"


def test_the_overview_shows_the_age_and_size_of_each_sites_last_checkpoint(desk: Desk) -> None:
    desk.forced_door(2)
    desk.node.ledgers.checkpoint_all()
    layout = desk.client.get("/v1/sites/dc-demo", headers={"Authorization": f"Bearer {desk.keys['read']}"}).json()
    assert 0 < layout["ledger"]["checkpoint_size"] <= layout["ledger"]["size"]  # playbook actions keep logging
    signed = datetime.fromisoformat(layout["ledger"]["checkpoint_at"])
    assert abs((datetime.now(UTC) - signed).total_seconds()) < 600
    page = desk.sign_in("read").get("/ui/").text
    age = re.search(r'class="checkpoint-age"[^>]*>([^<]+)<', page)
    assert age, page
    assert re.fullmatch(r"\d+ (s|min) ago", age.group(1).strip())


def test_an_incident_draws_the_risk_over_time_of_its_people(desk: Desk) -> None:
    at = datetime.now(UTC) - timedelta(seconds=90)
    desk.post_events(*(msgspec.json.encode({  # badge probing at the cage, then the door forced: one incident
        "id": f"deny-{i}", "kind": "access", "ts": (at + timedelta(seconds=i)).isoformat(), "site": "dc-demo",
        "source": "ctl-1", "door": "D-HV", "result": "denied", "factors": ["badge"], "subject": "emp-1001",
        "credential": "badge:1001", "reason": "not authorised"}) for i in range(8)))
    desk.forced_door()
    c = desk.sign_in("read")
    found = re.search(r'href="/ui/incidents/dc-demo/([^"]+)"', c.get("/ui/incidents?site=dc-demo").text)
    assert found
    page = c.get(f"/ui/incidents/dc-demo/{found.group(1)}").text
    assert "Risk over time" in page
    assert '<figure class="curve" data-person="emp-1001">' in page
    points = re.search(r'<polyline points="([^"]+)"', page)
    assert points
    heights = [float(p.split(",")[1]) for p in points.group(1).split()]
    assert len(heights) == 48
    assert heights[0] == 40.0  # no risk a day before the evidence
    assert min(heights) < 40.0  # risen by the alerts naming emp-1001
    assert re.search(r"from [1-9]\d* alerts naming them", page)


def test_the_inventory_page_plots_shrinkage_per_week(desk: Desk) -> None:
    token, record = new_key(("ingest",), site="dc-demo", sources=("wms",), kinds=("stock",))
    desk.node.store.put_key(record)
    now = datetime.now(UTC)
    lines = [msgspec.json.encode({"id": f"w{i}", "kind": "stock", "ts": (now - timedelta(days=7 * i)).isoformat(),
                                  "site": "dc-demo", "source": "wms", "op": "adjust", "sku": "0614141.107346",
                                  "qty": -(i + 1), "from": "storage", "reason": "damaged"}) for i in range(3)]
    r = desk.client.post("/v1/events", content=b"\n".join(lines),
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    assert r.json()["accepted"] == 3, r.text
    page = desk.sign_in("read").get("/ui/inventory?site=dc-demo").text
    weeks = re.findall(r'<g data-week="(\d{4}-W\d\d)">', page)
    assert len(weeks) == 3
    assert weeks == sorted(weeks)
    assert "6 items, 4705.92" in page  # 1 + 2 + 3 Phone X at 784.32
    assert "damaged" in page


def test_the_overview_counts_every_open_incident_by_severity_not_only_a_page(desk: Desk) -> None:
    desk.forced_door()
    c = desk.sign_in("analyst")
    page = c.get("/ui/").text
    assert re.search(r'class="open-count">1\s*<span class="sev sev-\w+">1 \w+</span>', page), page
    found = re.search(r'href="/ui/incidents/dc-demo/([^"]+)"', page)
    assert found
    incident = desk.node.store.get_incident("dc-demo", found.group(1))
    assert incident is not None
    r = c.post(f"/ui/incidents/dc-demo/{incident.id}/transition",
               data={"csrf": desk.csrf(), "to": "resolved", "version": str(incident.version),
                     "disposition": "drill"}, follow_redirects=False)
    assert "error" not in r.headers["location"], r.headers["location"]
    assert re.search(r'class="open-count">0\s', c.get("/ui/").text)  # resolved: no longer open


def test_the_alert_sparkline_is_read_once_per_site_every_half_minute() -> None:
    from stockade.web.charts import Recent
    now = [0.0]
    recent = Recent(ttl_s=30, clock=lambda: now[0])
    assert recent.get("dc-demo") is None
    recent.put("dc-demo", [1, 2])
    now[0] = 29.9
    assert recent.get("dc-demo") == [1, 2]
    assert recent.get("dc-other") is None
    now[0] = 30.0
    assert recent.get("dc-demo") is None  # stale: the next overview reads the alerts again
