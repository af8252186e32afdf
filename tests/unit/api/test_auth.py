"""Keys that say what they can do (issue 9.6): a 403 names the command that makes a key with the scope."""

from __future__ import annotations

from stockade.node.keys import new_key
from tests.node_fixtures import Api, door_line


def test_the_admin_key_cannot_post_events_and_is_told_how_to_get_a_key_that_can(api: Api) -> None:
    r = api.client.post("/v1/events", content=door_line("a1"), headers=api.auth("admin"))
    assert r.status_code == 403
    detail = r.json()["detail"]
    assert "lacks the 'ingest' scope (it has: admin)" in detail
    assert "`stockade apikey create --scope ingest --site SITE --source SOURCE`" in detail


def test_the_admin_key_cannot_decide_and_is_told_how_to_get_a_pep_key(api: Api) -> None:
    r = api.client.post("/v1/access/decide", headers=api.auth("admin"), json={
        "site": "dc-demo", "door": "D-HV", "credential": "badge:1001", "factors": [{"type": "badge"}]})
    assert r.status_code == 403
    assert "`stockade apikey create --scope pep --site SITE`" in r.json()["detail"]


def test_a_bound_key_is_told_the_command_for_its_own_site(api: Api) -> None:
    token, record = new_key(("pep",), site="dc-demo")
    api.node.store.put_key(record)
    r = api.client.get("/v1/alerts", params={"site": "dc-demo"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert "`stockade apikey create --scope read --site dc-demo`" in r.json()["detail"]


def test_an_ingest_key_reading_is_told_to_make_a_read_key(api: Api) -> None:
    r = api.client.get("/v1/alerts", params={"site": "dc-demo"}, headers=api.auth("ingest"))
    assert r.status_code == 403
    assert "stockade apikey create --scope read" in r.json()["detail"]
