"""POST /v1/events: one result per line; every bad input named, every good line kept."""

from __future__ import annotations

import msgspec

from stockade.node.keys import new_key
from tests.node_fixtures import Api, door_line, now_iso, wait_projected


def post(api: Api, body: bytes, key: str = "ingest") -> tuple[int, dict[str, object]]:
    r = api.client.post("/v1/events", content=body, headers=api.auth(key))
    return r.status_code, r.json()


def results(payload: dict[str, object]) -> list[dict[str, object]]:
    items = payload["results"]
    assert isinstance(items, list)
    return items


def test_mixed_batch_keeps_every_good_line_in_order(api: Api) -> None:
    body = b"\n".join([
        door_line("g1"),
        b'{"id": "bad-json", ',
        door_line("g2", state=3),
        door_line("g3", colour="red"),
        b'{"id":"g4","kind":"teleport","ts":"2026-11-21T02:00:00Z","site":"dc-demo","source":"ctl-1"}',
        door_line("g5", site="dc-nowhere"),
        door_line("g6", ts=now_iso(3600)),
        door_line("g7"),
        door_line("g1"),
    ])
    code, payload = post(api, body)
    assert code == 200
    got = [(r["line"], r["status"], r.get("field")) for r in results(payload)]
    assert got == [
        (1, "accepted", None), (2, "rejected", ""), (3, "rejected", "state"), (4, "rejected", "colour"),
        (5, "rejected", "kind"), (6, "rejected", "site"), (7, "rejected", "ts"), (8, "accepted", None),
        (9, "duplicate", None),
    ]
    reasons = {r["line"]: r.get("reason") for r in results(payload)}
    assert "malformed JSON" in str(reasons[2])
    assert "unknown field" in str(reasons[4])
    assert "unknown kind" in str(reasons[5])
    assert "unknown site" in str(reasons[6])
    assert "ahead of the server" in str(reasons[7])
    assert payload["accepted"] == 2
    stored = [row.event.id for row in api.node.store.read("dc-demo")]
    assert stored == ["g1", "g7"]
    assert [row.seq for row in api.node.store.read("dc-demo")] == [1, 2]


def test_json_array_body_is_accepted(api: Api) -> None:
    body = b"[" + b",".join([door_line("a1"), door_line("a2")]) + b"]"
    code, payload = post(api, body)
    assert code == 200
    assert payload["accepted"] == 2


def test_unreadable_array_is_400(api: Api) -> None:
    r = api.client.post("/v1/events", content=b"[{", headers=api.auth("ingest"))
    assert r.status_code == 400
    assert "JSON array" in r.json()["detail"]


def test_body_over_limit_is_413_and_stores_nothing(api: Api) -> None:
    body = b"\n".join(door_line(f"big{i}") for i in range(2000))
    r = api.client.post("/v1/events", content=body, headers=api.auth("ingest"))
    assert r.status_code == 413
    assert "limit" in r.json()["detail"]
    assert api.node.store.last_seq("dc-demo") == 0


def test_ingest_key_bound_to_another_site_is_403(api: Api) -> None:
    code, payload = post(api, door_line("x1"), key="other-site")
    assert code == 403
    assert "forbidden" in str(results(payload)[0]["reason"])
    assert api.node.store.last_seq("dc-demo") == 0


def test_ingest_key_for_another_source_is_403(api: Api) -> None:
    code, payload = post(api, door_line("x2", source="ctl-9"))
    assert code == 403
    assert results(payload)[0]["field"] == "source"


def test_missing_or_wrong_key_is_401(api: Api) -> None:
    r = api.client.post("/v1/events", content=door_line("k1"))
    assert r.status_code == 401
    assert "API key is required" in r.json()["detail"]
    r = api.client.post("/v1/events", content=door_line("k1"), headers={"Authorization": "Bearer stk_x_y"})
    assert r.status_code == 401
    assert "unknown or wrong" in r.json()["detail"]


def test_read_key_cannot_ingest(api: Api) -> None:
    r = api.client.post("/v1/events", content=door_line("k2"), headers=api.auth("read"))
    assert r.status_code == 403
    assert "'ingest' scope" in r.json()["detail"]


def test_output_kinds_are_refused_from_devices(api: Api) -> None:
    line = msgspec.json.encode({
        "id": "fake-alert", "kind": "alert", "ts": now_iso(-5), "site": "dc-demo", "source": "ctl-1",
        "detector": "STK-DOR-001", "severity": "low", "entities": {}, "evidence": [], "summary": "x"})
    code, payload = post(api, line)
    assert results(payload)[0]["field"] == "kind"


def test_queries_by_kind_time_and_entity(api: Api) -> None:
    post(api, b"\n".join([door_line("q1"), door_line("q2", door="D-FLOOR")]))
    wait_projected(api.node, "dc-demo")
    r = api.client.get("/v1/events", params={"site": "dc-demo", "entity_type": "door", "entity": "D-FLOOR"},
                       headers=api.auth("read"))
    assert r.status_code == 200
    assert [i["event"]["id"] for i in r.json()["items"]] == ["q2"]
    r = api.client.get("/v1/events/dc-demo/q1", headers=api.auth("read"))
    assert r.json()["items"][0]["log_seq"] == 1
    assert api.client.get("/v1/events/dc-demo/none", headers=api.auth("read")).status_code == 404
    r = api.client.get("/v1/events", params={"site": "dc-demo", "kind": ["door", "doors"]}, headers=api.auth("read"))
    assert r.status_code == 422  # a kind that does not exist is pointed at, not answered with an empty page
    assert r.json()["detail"][0]["loc"] == ["query", "kind", 1]
    r = api.client.get("/v1/events", params={"site": "dc-demo", "kind": ["door", "alert"]}, headers=api.auth("read"))
    assert [i["event"]["id"] for i in r.json()["items"]] == ["q1", "q2"]


def test_healthz_is_open_and_metrics_count_results(api: Api) -> None:
    assert api.client.get("/healthz").json()["status"] == "ok"
    post(api, b"\n".join([door_line("m1"), door_line("m1"), b"nope"]))
    assert api.client.get("/metrics").status_code == 401
    text = api.client.get("/metrics", headers=api.auth("read")).text
    assert 'stockade_events_total{kind="door",result="accepted",site="dc-demo"} 1.0' in text
    assert 'result="duplicate"' in text
    assert 'result="rejected"' in text
    assert "stockade_ingest_seconds_bucket" in text
    assert "stockade_queue_depth" in text


def test_openapi_documents_the_routes(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert {"/v1/events", "/v1/alerts", "/v1/incidents", "/v1/stream", "/healthz"} <= set(spec["paths"])


def test_an_event_too_big_for_a_log_entry_is_rejected_alone(api: Api) -> None:
    token, record = new_key(("ingest",), site="dc-demo", sources=("wms", "ctl-1"), kinds=("stock", "door"))
    api.node.store.put_key(record)
    epcs = [f"urn:epc:id:sgtin:0614141.107346.{i}" for i in range(2000)]
    big = msgspec.json.encode({"id": "count-1", "kind": "stock", "ts": now_iso(-5), "site": "dc-demo",
                               "source": "wms", "op": "count", "to": "storage", "epcs": epcs})
    r = api.client.post("/v1/events", content=b"\n".join([big, door_line("ok-1")]),
                        headers={"Authorization": f"Bearer {token}"})
    results = r.json()["results"]
    assert results[0]["status"] == "rejected"
    assert "split its epcs" in results[0]["reason"]
    assert results[1]["status"] == "accepted"
