"""``GET /v1/alerts`` and ``/v1/incidents`` without ``site`` list every site the key may read;
``entity_type`` takes the names an alert's ``entities`` use (``people``) as well as the singular ones."""

from __future__ import annotations

from datetime import UTC, datetime

from stockade.events.model import ENTITY_FIELDS, Alert, Entities
from stockade.node.ingest import log_entry
from stockade.node.keys import new_key
from tests.node_fixtures import Api, door_line, wait_projected


def test_alerts_and_incidents_without_site_are_listed_not_422(api: Api) -> None:
    for path in ("/v1/alerts", "/v1/incidents"):
        r = api.client.get(path, headers=api.auth("read"))
        assert r.status_code == 200, r.text
        assert r.json()["items"] == []


def test_a_key_bound_to_a_site_lists_only_that_site(api: Api) -> None:
    alert = Alert(id="alert-x1", ts=datetime.now(UTC), site="dc-demo", source="stockade:detect",
                  detector="acc-001", severity="high", entities=Entities(doors=("D-HV",)), evidence=(),
                  summary="a test alert")
    api.node.ingestor.commit("dc-demo", [alert], [log_entry(alert)])
    everywhere = api.client.get("/v1/alerts", headers=api.auth("read"))
    assert [i["id"] for i in everywhere.json()["items"]] == ["alert-x1"]
    token, record = new_key(("read",), site="dc-elsewhere")
    api.node.store.put_key(record)
    r = api.client.get("/v1/alerts", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json()["items"] == []


def test_entity_type_takes_plural_and_singular_names(api: Api) -> None:
    api.client.post("/v1/events", content=door_line("d1"), headers=api.auth("ingest"))
    wait_projected(api.node, "dc-demo")  # the entity index is a projection: it lags the acknowledgement
    for name in ("door", "doors"):
        r = api.client.get(f"/v1/events?site=dc-demo&entity_type={name}&entity=D-HV", headers=api.auth("read"))
        assert r.status_code == 200, r.text
        assert [i["event"]["id"] for i in r.json()["items"]] == ["d1"]
    for name in ENTITY_FIELDS:
        r = api.client.get(f"/v1/events?site=dc-demo&entity_type={name}&entity=x", headers=api.auth("read"))
        assert r.status_code == 200, (name, r.text)


def test_entity_type_without_entity_names_the_missing_parameter(api: Api) -> None:
    r = api.client.get("/v1/events?site=dc-demo&entity_type=people", headers=api.auth("read"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "entity"]
