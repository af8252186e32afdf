"""Issue 18.1, performed against the API: an ingest key writes only what its source produces.

Each test is an attack a stolen device key could make, and sees it fail: the
lines are refused at ingest with a reason naming the rule, and the decision
point acts as if they had never been sent. The two doors ``admin`` events come
through (the admin API under an admin key, a source the site file declares)
are checked to work, so the refusals are not just everything being shut.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from stockade.events import Admin
from stockade.node.keys import new_key
from stockade.store import ApiKeyRecord
from tests.node_fixtures import Api, now_iso, wait_projected


def key(api: Api, sources: tuple[str, ...], kinds: tuple[str, ...] = (), site: str = "dc-demo") -> str:
    token, record = new_key(("ingest",), site=site, sources=sources, kinds=kinds)
    api.node.store.put_key(record)
    return token


def post(api: Api, token: str, *events: dict[str, object]) -> tuple[int, list[dict[str, object]]]:
    body = b"\n".join(msgspec.json.encode({"ts": now_iso(-30), "site": "dc-demo", **e}) for e in events)
    r = api.client.post("/v1/events", content=body, headers={"Authorization": f"Bearer {token}"})
    results: list[dict[str, object]] = r.json()["results"]
    return r.status_code, results


GRANT_HV = {"kind": "admin", "actor": "it-01", "action": "grant_access", "target": "emp-1001", "zone": "hv-cage"}


def has_grant(api: Api) -> bool:
    return api.node.access.point("dc-demo").facts.grant("emp-1001", "hv-cage", datetime.now(UTC))


def decide_hv(api: Api) -> dict[str, object]:
    r = api.client.post("/v1/access/decide", headers=api.auth("pep"), json={
        "site": "dc-demo", "door": "D-HV", "credential": "badge:1001",
        "factors": [{"type": "badge"}, {"type": "fingerprint", "score": 0.97}]})
    assert r.status_code == 200, r.text
    answer: dict[str, object] = r.json()
    return answer


def test_a_door_controller_key_cannot_grant_itself_the_cage(api: Api) -> None:
    code, results = post(api, api.keys["ingest"], {"id": "g1", "source": "ctl-1", **GRANT_HV})
    assert code == 403
    assert results[0]["status"] == "rejected"
    assert results[0]["field"] == "kind"
    assert "forbidden: key" in str(results[0]["reason"])
    assert "admin" in str(results[0]["reason"])
    assert api.node.store.get("dc-demo", "g1") is None
    assert not has_grant(api)
    assert "temporary-grant" not in decide_hv(api)["policies"]  # type: ignore[operator]


def test_a_key_given_the_admin_kind_still_needs_a_declared_source(api: Api) -> None:
    token = key(api, ("ctl-1",), ("admin", "door"))
    code, results = post(api, token, {"id": "g2", "source": "ctl-1", **GRANT_HV})
    assert code == 403
    assert "source 'ctl-1' is a device" in str(results[0]["reason"])
    assert "{id: ctl-1, kinds: [admin], actions: [grant_access]}" in str(results[0]["reason"])
    assert not has_grant(api)


def test_a_device_key_cannot_lift_an_analysts_lockdown(api: Api) -> None:
    r = api.client.put("/v1/access/threat-levels/dc-demo", headers=api.auth("admin"),
                       json={"level": "lockdown", "zone": "hv-cage", "detail": "analyst"})
    assert r.status_code == 200
    lift = {"kind": "admin", "actor": "analyst-1", "action": "clear_threat_level", "zone": "hv-cage",
            "attrs": {"level": "normal"}}
    token = key(api, ("ctl-1", "access"), ("admin",))  # even a key given the admin kind
    for source in ("ctl-1", "access"):
        code, results = post(api, token, {"id": f"lift-{source}", "source": source, **lift})
        assert code == 403
        assert "threat levels change only through the analyst API" in str(results[0]["reason"])
    levels = api.client.get("/v1/access/threat-levels/dc-demo", headers=api.auth("read")).json()
    assert levels["zones"] == {"hv-cage": "lockdown"}


def test_no_key_may_claim_a_stockade_source_or_another_keys_identity(api: Api) -> None:
    old = ApiKeyRecord("oldkey000001", "", ("ingest",), site="dc-demo")  # a key stored with no sources
    token, fresh = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
    api.node.store.put_key(ApiKeyRecord(old.key_id, fresh.secret_hash, old.scopes, site=old.site))
    old_token = f"stk_{old.key_id}_{token.split('_', 2)[2]}"
    admin_key_id = api.keys["admin"].split("_")[1]
    forged = {"id": "forged-1", "source": "stockade:access", "kind": "admin", "actor": admin_key_id,
              "action": "set_threat_level", "attrs": {"level": "normal"}}
    code, results = post(api, old_token, forged)
    assert code == 403
    assert "bound to no source" in str(results[0]["reason"])
    assert "stockade apikey create --scope ingest --site dc-demo --source" in str(results[0]["reason"])
    with pytest.raises(ValueError, match="Stockade's own"):
        new_key(("ingest",), site="dc-demo", sources=("stockade:access",))
    everything = key(api, ("ctl-1",), ("admin", "door"))
    code, results = post(api, everything, {**forged, "id": "forged-2"}, {
        "id": "forged-3", "kind": "door", "source": "stockade:pdp", "door": "D-HV", "state": "open"})
    assert code == 403
    assert all("forbidden" in str(r["reason"]) for r in results)
    assert api.node.store.get("dc-demo", "forged-1") is None


def test_output_kinds_are_refused_from_every_key(api: Api) -> None:
    with pytest.raises(ValueError, match="written by Stockade only"):
        new_key(("ingest",), site="dc-demo", sources=("ctl-1",), kinds=("alert",))
    code, results = post(api, api.keys["ingest"], {
        "id": "x-al", "kind": "alert", "source": "ctl-1", "detector": "STK-DOR-001", "severity": "info",
        "entities": {}, "evidence": [], "summary": "nothing to see"})
    assert results[0]["field"] == "kind"
    assert "written by Stockade only" in str(results[0]["reason"])


def test_a_declared_identity_system_may_send_its_declared_actions(api: Api) -> None:
    token = key(api, ("iam",), ("admin",))
    code, results = post(api, token, {"id": "iam-1", "source": "iam", **GRANT_HV},
                         {"id": "iam-2", "source": "iam", **GRANT_HV, "action": "disarm"})
    assert code == 200
    assert results[0]["status"] == "accepted"
    assert results[1]["status"] == "rejected"
    assert results[1]["field"] == "action"
    assert "not 'disarm'" in str(results[1]["reason"])
    assert has_grant(api)


def test_stock_comes_from_a_declared_wms_only(api: Api) -> None:
    count = {"kind": "stock", "op": "count", "to": "storage", "epcs": []}
    wms = key(api, ("wms",), ("stock",))
    assert post(api, wms, {"id": "c1", "source": "wms", **count})[1][0]["status"] == "accepted"
    door_and_stock = key(api, ("ctl-1",), ("stock", "door"))
    _, results = post(api, door_and_stock, {"id": "c2", "source": "ctl-1", **count})
    assert "devices send" in str(results[0]["reason"])


def test_the_admin_api_records_the_authenticated_key_as_the_actor(api: Api) -> None:
    admin_key_id = api.keys["admin"].split("_")[1]
    r = api.client.post("/v1/admin/dc-demo/events", headers=api.auth("admin"),
                        json={"action": "grant_access", "target": "emp-1001", "zone": "hv-cage",
                              "detail": "cage audit"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("adm-")
    row = api.node.store.get("dc-demo", body["id"])
    assert row is not None
    assert isinstance(row.event, Admin)
    assert (row.event.actor, row.event.source) == (admin_key_id, "stockade:api")
    assert has_grant(api)
    wait_projected(api.node, "dc-demo")
    spoof = api.client.post("/v1/admin/dc-demo/events", headers=api.auth("admin"),
                            json={"action": "revoke_access", "target": "emp-1001", "actor": "someone-else"})
    assert spoof.status_code == 422  # the body has no actor: the key is the actor


@pytest.mark.parametrize(("body", "code", "needle"), [
    ({"action": "set_threat_level", "zone": "hv-cage"}, 422, "threat levels have their own routes"),
    ({"action": "launch"}, 422, "unknown admin action"),
    ({"action": "grant_access", "target": "emp-1001", "zone": "moon"}, 404, "unknown zone"),
    ({"action": "grant_access", "target": "emp-1001", "start": "2026-11-23T10:00:00+01:00",
      "end": "2026-11-23T09:00:00+01:00"}, 422, "end must be after start"),
])
def test_the_admin_api_refuses_what_it_should(api: Api, body: dict[str, object], code: int,
                                              needle: str) -> None:
    r = api.client.post("/v1/admin/dc-demo/events", headers=api.auth("admin"), json=body)
    assert r.status_code == code
    assert needle in r.text


def test_only_admin_keys_reach_the_admin_api(api: Api) -> None:
    for name in ("read", "pep", "ingest"):
        r = api.client.post("/v1/admin/dc-demo/events", headers=api.auth(name), json={"action": "arm"})
        assert r.status_code == 403
        assert "stockade apikey create --scope admin" in r.json()["detail"]
