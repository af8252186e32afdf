"""The access router (stockade.api.routers.access) on a minimal app: its own service, a SQLite store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Header
from fastapi.testclient import TestClient

from stockade.access.pack import PolicyStore
from stockade.access.service import AccessService
from stockade.api.auth import authenticate
from stockade.api.deps import get_store
from stockade.api.routers import access as access_router
from stockade.events import canonical_event
from stockade.events.model import Envelope
from stockade.site import SiteConfig
from stockade.store import ApiKeyRecord
from stockade.store.sqlite import SqliteStore


@dataclass
class Client:
    http: TestClient
    service: AccessService
    store: SqliteStore

    def post(self, path: str, body: dict[str, Any], scope: str = "pep") -> Any:
        return self.http.post(path, json=body, headers={"x-test-scope": scope})


@pytest.fixture
def client(site: SiteConfig, tmp_path: Path) -> Iterator[Client]:
    store = SqliteStore.open(tmp_path, synchronous="NORMAL")

    def write(site_id: str, events: Sequence[Envelope]) -> None:
        results = store.append(site_id, events, [canonical_event(e) for e in events])
        committed = [(r.seq, e) for r, e in zip(results, events, strict=True)]
        store.index_entities(site_id, committed)  # the node's projection does this
        service.observe_committed(site_id, committed)

    service = AccessService({"dc-demo": site}, PolicyStore(), log=write)

    def fake_auth(x_test_scope: Annotated[str, Header()] = "none") -> ApiKeyRecord:
        return ApiKeyRecord(key_id=f"key-{x_test_scope}", secret_hash="", scopes=(x_test_scope,))

    app = FastAPI()
    app.include_router(access_router.router)
    app.dependency_overrides[access_router.get_access] = lambda: service
    app.dependency_overrides[access_router.get_clock_limit] = lambda: timedelta(minutes=5)
    app.dependency_overrides[get_store] = lambda: store
    app.dependency_overrides[authenticate] = fake_auth
    with TestClient(app) as http:
        yield Client(http, service, store)
    store.close()


def test_decide_returns_the_answer_and_logs_the_decision(client: Client) -> None:
    r = client.post("/v1/access/decide", {"site": "dc-demo", "door": "D-LOBBY", "credential": "badge:1001",
                                          "factors": [{"type": "badge"}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["result"] == "allow"
    assert body["policies"] == ["public-zone"]
    stored = client.store.get("dc-demo", body["decision_id"])
    assert stored is not None
    assert stored.event.kind == "decision"


def test_unknown_door_is_a_deny_not_an_error(client: Client) -> None:
    r = client.post("/v1/access/decide", {"site": "dc-demo", "door": "D-NOPE", "credential": "badge:1001",
                                          "factors": [{"type": "badge"}]})
    assert r.status_code == 200
    assert r.json()["result"] == "deny"
    assert r.json()["policies"] == ["stockade:unknown-door"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"door": "D-HV", "credential": "badge:1", "factors": [{"type": "badge"}]}, ["body", "site"]),
        ({"site": "dc-demo", "door": "D-HV", "credential": "badge:1", "factors": []}, ["body", "factors"]),
        ({"site": "dc-demo", "door": "D-HV", "credential": "badge:1",
          "factors": [{"type": "face", "score": 2}]}, ["body", "factors", 0, "face", "score"]),
        ({"site": "dc-demo", "door": "D-HV", "credential": "badge:1",
          "factors": [{"type": "pin"}]}, ["body", "factors", 0, "pin", "verified"]),
        ({"site": "dc-demo", "door": "D-HV", "credential": "badge:1", "factors": [{"type": "badge"}],
          "pin": "1234"}, ["body", "pin"]),
        ({"site": "dc-demo", "door": "D-HV", "credential": "badge:1", "factors": [{"type": "badge"}],
          "time": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, ["body", "time"]),
    ],
)
def test_malformed_requests_are_422_naming_the_field(
    client: Client, body: dict[str, Any], loc: list[Any]
) -> None:
    r = client.post("/v1/access/decide", body)
    assert r.status_code == 422
    assert loc in [d["loc"] for d in r.json()["detail"]]


def test_scopes_are_enforced(client: Client) -> None:
    body = {"site": "dc-demo", "door": "D-LOBBY", "credential": "badge:1001", "factors": [{"type": "badge"}]}
    assert client.post("/v1/access/decide", body, scope="read").status_code == 403
    r = client.http.put("/v1/access/threat-levels/dc-demo", json={"level": "lockdown"},
                        headers={"x-test-scope": "pep"})
    assert r.status_code == 403


def test_threat_levels_are_set_logged_seen_and_cleared(client: Client) -> None:
    headers = {"x-test-scope": "analyst"}
    r = client.http.put("/v1/access/threat-levels/dc-demo", json={"level": "lockdown", "zone": "lobby"},
                        headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["zones"] == {"lobby": "lockdown"}
    logged = client.store.get("dc-demo", r.json()["event"])
    assert logged is not None
    assert logged.event.kind == "admin"
    decision = client.post("/v1/access/decide", {"site": "dc-demo", "door": "D-LOBBY",
                                                 "credential": "badge:1001", "factors": [{"type": "badge"}]})
    assert decision.json()["result"] == "deny"
    r = client.http.delete("/v1/access/threat-levels/dc-demo", params={"zone": "lobby"}, headers=headers)
    assert r.json()["zones"] == {}
    got = client.http.get("/v1/access/threat-levels/dc-demo", headers={"x-test-scope": "read"})
    assert got.json() == {"site": "dc-demo", "level": "normal", "zones": {}, "event": None}


def test_threat_level_for_an_unknown_zone_or_site_is_404(client: Client) -> None:
    headers = {"x-test-scope": "analyst"}
    assert client.http.put("/v1/access/threat-levels/dc-demo", json={"level": "elevated", "zone": "moon"},
                           headers=headers).status_code == 404
    assert client.http.put("/v1/access/threat-levels/nowhere", json={"level": "elevated"},
                           headers=headers).status_code == 404


def test_decisions_are_queryable(client: Client) -> None:
    for door in ("D-LOBBY", "D-NOPE", "D-LOBBY"):
        client.post("/v1/access/decide", {"site": "dc-demo", "door": door, "credential": "badge:1001",
                                          "factors": [{"type": "badge"}]})
    r = client.http.get("/v1/access/decisions", params={"site": "dc-demo", "result": "deny"},
                        headers={"x-test-scope": "read"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["event"]["door"] for i in items] == ["D-NOPE"]
    r = client.http.get("/v1/access/decisions", params={"site": "dc-demo", "door": "D-LOBBY"},
                        headers={"x-test-scope": "read"})
    assert len(r.json()["items"]) == 2
