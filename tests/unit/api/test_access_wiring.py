"""The access decision point inside a running node: decisions are logged and reach the engine;
threat levels set through the API are seen by the next decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stockade.events import Decision
from tests.node_fixtures import Api, wait_projected


def decide(api: Api, credential: str, door: str = "D-FLOOR") -> dict[str, object]:
    r = api.client.post("/v1/access/decide", headers=api.auth("pep"), json={
        "site": "dc-demo", "door": door, "credential": credential, "factors": [{"type": "badge"}]})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_decisions_are_logged_in_the_sites_ledger_and_reach_the_engine(api: Api) -> None:
    answer = decide(api, "badge:8001")  # a guard: any zone, any time
    row = api.node.store.get("dc-demo", str(answer["decision_id"]))
    assert row is not None
    assert isinstance(row.event, Decision)
    assert row.event.result == answer["result"]
    wait_projected(api.node, "dc-demo")
    assert api.node.engine.applied("dc-demo") >= row.seq
    assert api.node.ledgers.logs["dc-demo"].size >= row.seq


def test_lockdown_set_through_the_api_denies_the_next_non_responder(api: Api) -> None:
    r = api.client.put("/v1/access/threat-levels/dc-demo", headers=api.auth("admin"),
                       json={"level": "lockdown", "zone": "storage", "detail": "drill"})
    assert r.status_code == 200, r.text
    answer = decide(api, "badge:1001")
    assert answer["result"] == "deny"
    assert any("lockdown" in str(x) for x in answer["reasons"])  # type: ignore[attr-defined]
    guard = decide(api, "badge:8001")
    assert guard["result"] != "deny" or "lockdown" not in str(guard["reasons"])


def test_unknown_credential_is_denied_not_an_error(api: Api) -> None:
    answer = decide(api, "badge:nobody")
    assert answer["result"] == "deny"
    assert api.client.post("/v1/access/decide", headers=api.auth("read"), json={}).status_code == 403


def test_a_presentation_time_is_held_to_the_nodes_clock_limit(api: Api) -> None:
    api.node.settings = api.node.settings.model_copy(update={"max_future_s": 30})
    body = {"site": "dc-demo", "door": "D-FLOOR", "credential": "badge:8001", "factors": [{"type": "badge"}],
            "time": (datetime.now(UTC) - timedelta(seconds=90)).isoformat()}
    r = api.client.post("/v1/access/decide", headers=api.auth("pep"), json=body)
    assert r.status_code == 422, r.text
    (detail,) = r.json()["detail"]
    assert detail["loc"] == ["body", "time"]
    assert "more than 30 seconds from the server's clock" in detail["msg"]
    body["time"] = (datetime.now(UTC) - timedelta(seconds=10)).isoformat()
    assert api.client.post("/v1/access/decide", headers=api.auth("pep"), json=body).status_code == 200
