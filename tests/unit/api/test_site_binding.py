"""Issue 18.7, performed against the API: a key bound to a site acts for that site only, whatever its scope.

Every route that names a site is called twice with a key of the scope it needs,
bound to ``dc-demo``: for another site it must answer 403 with the reason, for
its own site anything but 403. The table must list every route that takes a
``site`` (a test walks the app's routes), so a new route cannot forget.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.node.keys import new_key
from tests.node_fixtures import DEMO_SITE, Api, door_line, make_node


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # "{site}" is filled in
    scope: str
    params: dict[str, Any] = field(default_factory=dict)  # "{site}" values are filled in
    json: dict[str, Any] | None = None

    def route(self) -> tuple[str, str]:
        return self.method, self.path.split("?")[0]


CALLS = [
    Call("GET", "/v1/events", "read", {"site": "{site}"}),
    Call("GET", "/v1/events/{site}/{event_id}", "read"),
    Call("GET", "/v1/alerts", "read", {"site": "{site}"}),
    Call("GET", "/v1/incidents", "read", {"site": "{site}"}),
    Call("GET", "/v1/incidents/{site}/{incident_id}", "read"),
    Call("GET", "/v1/risk/{site}", "read"),
    Call("GET", "/v1/risk/{site}/{type_}/{entity}", "read"),
    Call("GET", "/v1/stream", "read", {"site": "{site}", "limit": 1}),
    Call("GET", "/v1/ledger/{site}/checkpoint", "auditor"),
    Call("GET", "/v1/ledger/{site}/tile/{path}", "auditor"),
    Call("GET", "/v1/ledger/{site}/proof/{event_id}", "read"),
    Call("GET", "/v1/ledger/{site}/consistency", "read", {"old": 1, "new": 1}),
    Call("GET", "/v1/access/threat-levels/{site}", "read"),
    Call("PUT", "/v1/access/threat-levels/{site}", "analyst", json={"level": "elevated"}),
    Call("DELETE", "/v1/access/threat-levels/{site}", "analyst"),
    Call("GET", "/v1/access/decisions", "read", {"site": "{site}"}),
    Call("POST", "/v1/access/decide", "pep", json={"site": "{site}", "door": "D-HV", "credential": "badge:1001",
                                                   "factors": [{"type": "badge"}]}),
    Call("POST", "/v1/admin/{site}/events", "admin", json={"action": "arm", "zone": "hv-cage"}),
]
FILLERS = {"event_id": "e-1", "incident_id": "inc-none", "path": "0/000", "type_": "person", "entity": "emp-1001"}


def fill(value: Any, site: str) -> Any:
    if isinstance(value, str):
        return value.replace("{site}", site)
    if isinstance(value, dict):
        return {k: fill(v, site) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, site) for v in value]
    return value


def call(api: Api, c: Call, token: str, site: str) -> tuple[int, str]:
    path = c.path.replace("{site}", site)
    for name, value in FILLERS.items():
        path = path.replace("{" + name + "}", value)
    headers = {"Authorization": f"Bearer {token}"}
    if c.path == "/v1/stream" and site == "dc-demo":
        return _stream_status(api, path, headers, fill(c.params, site))
    r = api.client.request(c.method, path, params=fill(c.params, site), json=fill(c.json, site), headers=headers)
    return r.status_code, r.text


def _stream_status(api: Api, path: str, headers: dict[str, str], params: dict[str, Any]) -> tuple[int, str]:
    """The stream of the key's own site stays open until an event: send one, then read the status."""
    def feed() -> None:
        while not api.node.broadcast.listeners():
            threading.Event().wait(0.01)
        api.client.post("/v1/events", content=door_line("s-1"), headers=api.auth("ingest"))

    feeder = threading.Thread(target=feed)
    feeder.start()
    with api.client.stream("GET", path, params=params, headers=headers) as r:
        text = "".join(r.iter_text())
    feeder.join(timeout=10)
    return r.status_code, text


def bound(api: Api, scope: str, site: str = "dc-demo") -> str:
    token, record = new_key((scope,), site=site)
    api.node.store.put_key(record)
    return token


@pytest.mark.parametrize("c", CALLS, ids=lambda c: f"{c.method} {c.path}")
def test_a_key_bound_to_a_site_cannot_act_for_another(api: Api, c: Call) -> None:
    token = bound(api, c.scope)
    code, text = call(api, c, token, "dc-elsewhere")
    assert code == 403, text
    assert "is bound to site 'dc-demo' and may not act for 'dc-elsewhere'" in text
    code, text = call(api, c, token, "dc-demo")
    assert code != 403, text


def test_the_table_covers_every_route_that_names_a_site(api: Api) -> None:
    listed = {c.route() for c in CALLS}
    for route in api.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute):
            continue
        names = {p.name for p in route.dependant.path_params + route.dependant.query_params}
        if "site" in names:
            for method in route.methods:
                assert (method, route.path) in listed, f"{method} {route.path} takes a site: add it to CALLS"


def test_ingest_keys_are_bound_to_their_site(api: Api) -> None:
    r = api.client.post("/v1/events", content=door_line("o1"), headers=api.auth("other-site"))
    assert r.status_code == 403
    assert "may only post for site dc-other" in r.json()["results"][0]["reason"]


@pytest.fixture
def two_sites(tmp_path: Path) -> Iterator[Api]:
    """A node serving dc-demo and dc-two (the same layout under another id)."""
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    site = yaml.safe_load(DEMO_SITE.read_text(encoding="utf-8"))
    (data / "sites" / "dc-two.yaml").write_text(yaml.safe_dump({**site, "site": "dc-two"}), encoding="utf-8")
    node = make_node(data)
    keys = {}
    for name, site_id in (("dc-demo", "dc-demo"), ("dc-two", "dc-two")):
        token, record = new_key(("ingest",), site=site_id, sources=("ctl-1",))
        node.store.put_key(record)
        keys[name] = token
    token, record = new_key(("read",), site="dc-two")
    node.store.put_key(record)
    keys["read-two"] = token
    with TestClient(create_app(node)) as client:
        yield Api(client, node, keys)


def test_the_stream_keeps_a_bound_key_to_its_site_when_none_is_named(two_sites: Api) -> None:
    api = two_sites
    got: list[str] = []

    def listen() -> None:
        with api.client.stream("GET", "/v1/stream", params={"kind": "door", "limit": 1},
                               headers=api.auth("read-two")) as r:
            got.extend(r.iter_lines())

    listener = threading.Thread(target=listen)
    listener.start()
    while not api.node.broadcast.listeners():
        threading.Event().wait(0.01)
    assert api.client.post("/v1/events", content=door_line("demo-1"),
                           headers=api.auth("dc-demo")).json()["accepted"] == 1
    assert api.client.post("/v1/events", content=door_line("two-1", site="dc-two"),
                           headers=api.auth("dc-two")).json()["accepted"] == 1
    listener.join(timeout=10)
    assert [line for line in got if line.startswith("id: ")] == ["id: dc-two:1"], got  # dc-demo's never
    assert any("two-1" in line for line in got)
    assert not any("demo-1" in line for line in got)
    other = api.client.get("/v1/stream", params={"site": "dc-demo"}, headers=api.auth("read-two"))
    assert other.status_code == 403


def test_metrics_span_every_site_so_a_bound_key_gets_403(api: Api) -> None:
    r = api.client.get("/v1/metrics", headers={"Authorization": f"Bearer {bound(api, 'read')}"})
    assert r.status_code == 403
    assert "metrics cover every site" in r.json()["detail"]
    assert api.client.get("/v1/metrics", headers=api.auth("read")).status_code == 200
