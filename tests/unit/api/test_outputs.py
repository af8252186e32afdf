"""What the engine finds is stored and served: alerts, incidents with their timeline, risk, and the live stream."""

from __future__ import annotations

import threading

from tests.node_fixtures import Api, door_line, wait_projected


def forced_door(api: Api) -> None:
    r = api.client.post("/v1/events", headers=api.auth("ingest"), content=door_line("f1", state="forced"))
    assert r.json()["accepted"] == 1
    wait_projected(api.node, "dc-demo")


def test_alerts_incidents_and_risk_are_served(api: Api) -> None:
    forced_door(api)
    alerts = api.client.get("/v1/alerts", params={"site": "dc-demo"}, headers=api.auth("read")).json()["items"]
    forced = [a for a in alerts if a["detector"] == "STK-DOR-001"]
    assert forced, alerts
    assert forced[0]["evidence"] == ["f1"]
    assert forced[0]["entities"]["doors"] == ["D-HV"]
    high = api.client.get("/v1/alerts", params={"site": "dc-demo", "min_severity": "critical"},
                          headers=api.auth("read")).json()["items"]
    assert all(a["severity"] == "critical" for a in high)
    incidents = api.client.get("/v1/incidents", params={"site": "dc-demo"}, headers=api.auth("read")).json()["items"]
    assert incidents
    one = api.client.get(f"/v1/incidents/dc-demo/{incidents[0]['id']}", headers=api.auth("read")).json()
    assert [e["id"] for e in one["timeline"] if e["kind"] == "door"] == ["f1"]
    assert (one["type"], one["status"], one["site"]) == ("incident", "new", "dc-demo")
    assert api.client.get("/v1/incidents/dc-demo/inc-none", headers=api.auth("read")).status_code == 404
    risk = api.client.get("/v1/risk/dc-demo", headers=api.auth("read")).json()
    assert any(z["id"] == "hv-cage" or z["id"] == "storage" for z in risk["scores"]["zone"])
    assert all(0 < z["score"] <= 100 for z in risk["scores"]["zone"])
    zone = risk["scores"]["zone"][0]
    why = api.client.get(f"/v1/risk/dc-demo/zone/{zone['id']}", headers=api.auth("read")).json()
    assert why["score"] == zone["score"]
    assert [c["detector"] for c in why["contributions"]][:1] == ["STK-DOR-001"]  # the forced door weighs most
    assert 0 < why["contributions"][0]["share"] <= 1
    nobody = api.client.get("/v1/risk/dc-demo/person/nobody", headers=api.auth("read")).json()
    assert (nobody["score"], nobody["contributions"]) == (0.0, [])


def test_stream_delivers_alerts_live(api: Api) -> None:
    got: list[str] = []

    def listen() -> None:
        with api.client.stream("GET", "/v1/stream", params={"site": "dc-demo", "kind": "alert", "limit": 1},
                               headers=api.auth("read")) as r:
            for line in r.iter_lines():
                got.append(line)

    listener = threading.Thread(target=listen)
    listener.start()
    while not api.node.broadcast.listeners():  # wait until the stream has subscribed
        threading.Event().wait(0.01)
    forced_door(api)
    listener.join(timeout=10)
    assert "event: alert" in got
    assert any(line.startswith("data: ") and "STK-DOR-001" in line for line in got)
