"""Keys and playbooks for an admin key: the API routes the admin page uses, and the page itself."""

from __future__ import annotations

import re

from stockade.node.keys import new_key
from tests.unit.web.conftest import Desk
from tests.web_fixtures import DESK_KEYS


def auth(desk: Desk, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {desk.keys[name]}"}


def kid(desk: Desk, name: str) -> str:
    return desk.keys[name].split("_")[1]


def test_an_admin_key_lists_creates_and_revokes_keys_through_the_api(desk: Desk) -> None:
    c = desk.client
    listed = c.get("/v1/keys", headers=auth(desk, "admin")).json()["items"]
    assert {k["key_id"] for k in listed} >= {kid(desk, n) for n in ("read", "analyst", "admin", "ingest")}
    assert all("secret" not in str(k) and "hash" not in str(k) for k in listed)
    made = c.post("/v1/keys", headers=auth(desk, "admin"),
                  json={"scopes": ["ingest"], "site": "dc-demo", "sources": ["ctl-1"], "label": "dock controller"})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert made.json()["kinds"] == ["access", "device", "door", "gate", "sensor", "tag", "video"]
    stored = desk.node.store.get_key(made.json()["key_id"])
    assert stored is not None
    assert stored.sources == ("ctl-1",)
    assert stored.label == "dock controller"
    assert token.split("_", 2)[2] not in stored.secret_hash  # the secret may hold "_" itself (base64url)
    assert c.get("/v1/keys/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    r = c.post(f"/v1/keys/{made.json()['key_id']}/revoke", headers=auth(desk, "admin"))
    assert r.status_code == 200
    assert r.json()["revoked"] is True
    assert c.get("/v1/keys/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_key_creation_refuses_what_the_cli_refuses_with_the_same_reasons(desk: Desk) -> None:
    c, h = desk.client, auth(desk, "admin")
    for body, status, says in (
        ({"scopes": ["ingest"], "sources": ["ctl-1"]}, 422, "must be bound to a site"),
        ({"scopes": ["ingest"], "site": "dc-demo"}, 422, "must name the sources"),
        ({"scopes": ["read"], "sources": ["ctl-1"]}, 422, "only ingest keys have sources"),
        ({"scopes": ["ingest"], "site": "dc-demo", "sources": ["ctl-1"], "kinds": ["alert"]}, 422,
         "written by Stockade only"),
        ({"scopes": ["ingest"], "site": "dc-demo", "sources": ["ctl-1"], "kinds": ["stock"]}, 422,
         "could never send stock events"),
        ({"scopes": ["read"], "site": "dc-nowhere"}, 404, "not installed"),
        ({"scopes": ["read"], "roles": ["security-lead"]}, 422, "only analyst and admin keys have roles"),
        ({"scopes": []}, 422, "scopes"),
        ({"scopes": ["root"]}, 422, "unknown scope(s) ['root']"),
    ):
        r = c.post("/v1/keys", headers=h, json=body)
        assert r.status_code == status, (body, r.text)
        assert says in r.text, (body, r.text)


def test_only_admin_keys_manage_keys_and_a_site_admin_only_its_site(desk: Desk) -> None:
    c = desk.client
    for name in ("read", "analyst"):
        assert c.get("/v1/keys", headers=auth(desk, name)).status_code == 403
        assert c.post("/v1/keys", headers=auth(desk, name), json={"scopes": ["admin"]}).status_code == 403
        assert c.post(f"/v1/keys/{kid(desk, 'read')}/revoke", headers=auth(desk, name)).status_code == 403
        assert c.get("/v1/playbooks", headers=auth(desk, name)).status_code == 403
    token, record = new_key(("admin",), site="dc-demo")
    desk.node.store.put_key(record)
    site_admin = {"Authorization": f"Bearer {token}"}
    r = c.post("/v1/keys", headers=site_admin, json={"scopes": ["admin"]})
    assert r.status_code == 403
    assert "bound to site 'dc-demo'" in r.text
    assert c.post("/v1/keys", headers=site_admin, json={"scopes": ["read"], "site": "dc-demo"}).status_code == 201
    seen = {k["key_id"] for k in c.get("/v1/keys", headers=site_admin).json()["items"]}
    assert kid(desk, "ingest") in seen
    assert kid(desk, "read") not in seen
    assert c.post(f"/v1/keys/{kid(desk, 'read')}/revoke", headers=site_admin).status_code == 404
    r = c.post(f"/v1/keys/{kid(desk, 'admin')}/revoke", headers=auth(desk, "admin"))
    assert r.status_code == 409
    assert "cannot revoke itself" in r.text


def test_playbooks_in_force_and_their_validation(desk: Desk) -> None:
    body = desk.client.get("/v1/playbooks", headers=auth(desk, "admin")).json()
    names = [p["playbook"] for p in body["in_force"]]
    assert "blind-and-grab" in names
    assert body["validation"] == {"ok": True, "count": len(names), "problem": None}
    grab = next(p for p in body["in_force"] if p["playbook"] == "blind-and-grab")
    assert any(s["id"] == "approve-lock" and s["approval_by"] for s in grab["steps"])


def test_the_admin_page_creates_shows_once_and_revokes_and_others_see_no_such_control(desk: Desk) -> None:
    c = desk.sign_in("admin")
    page = c.get("/ui/admin").text
    assert 'href="/ui/admin"' in page
    assert "Create key" in page
    assert "Valid:" in page
    assert "blind-and-grab" in page
    r = c.post("/ui/admin/keys", data={"csrf": desk.csrf(), "scopes": ["analyst"], "label": "night desk",
                                       "roles": "security-lead, duty-manager"})
    assert r.status_code == 200
    token = re.search(r'<code class="token">(stk_[^<]+)</code>', r.text)
    assert token, r.text
    new_id = token.group(1).split("_")[1]
    assert desk.node.store.get_key(new_id).roles == ("duty-manager", "security-lead")  # type: ignore[union-attr]  # just made
    assert "night desk" in r.text
    r = c.post(f"/ui/admin/keys/{new_id}/revoke", data={"csrf": desk.csrf()}, follow_redirects=False)
    assert r.status_code == 303
    assert "error" not in r.headers["location"]
    assert desk.node.store.get_key(new_id).revoked  # type: ignore[union-attr]  # just created: it exists
    assert token.group(1) not in c.get("/ui/admin").text  # shown once
    for name in ("read", "analyst"):
        c = desk.sign_in(name)
        assert 'href="/ui/admin"' not in c.get("/ui/").text
        assert c.get("/ui/admin").status_code == 403
        r = c.post("/ui/admin/keys", data={"csrf": desk.csrf(), "scopes": ["admin"]}, follow_redirects=False)
        assert r.status_code == 303
        assert "403" in r.headers["location"]
        r = c.post(f"/ui/admin/keys/{kid(desk, 'admin')}/revoke", data={"csrf": desk.csrf()},
                   follow_redirects=False)
        assert "403" in r.headers["location"]
    assert not desk.node.store.get_key(kid(desk, "admin")).revoked  # type: ignore[union-attr]  # stored by the fixture
    assert len(desk.node.store.list_keys()) == len(DESK_KEYS) + 1


def test_every_key_change_is_an_admin_event_in_the_sites_log_with_the_admin_as_actor(desk: Desk) -> None:
    """An auditor reads in the log who gave whom what: made, and revoked."""
    from stockade.events.model import Admin
    from stockade.store import EventQuery

    c = desk.client
    made = c.post("/v1/keys", headers=auth(desk, "admin"),
                  json={"scopes": ["analyst"], "site": "dc-demo", "roles": ["security-lead"], "label": "night lead"})
    assert made.status_code == 201, made.text
    key_id = made.json()["key_id"]
    assert c.post(f"/v1/keys/{key_id}/revoke", headers=auth(desk, "admin")).status_code == 200
    assert c.post(f"/v1/keys/{key_id}/revoke", headers=auth(desk, "admin")).status_code == 200  # no second entry
    rows = desk.node.store.query(EventQuery("dc-demo", kinds=("admin",), limit=1000))
    changes = [e for r in rows if isinstance(e := r.event, Admin) and e.target == key_id]
    assert [(e.action, e.actor, e.source) for e in changes] == [
        ("create_api_key", kid(desk, "admin"), "stockade:api"), ("revoke_api_key", kid(desk, "admin"), "stockade:api")]
    assert changes[0].detail is not None
    assert "scopes=analyst" in changes[0].detail
    assert "roles=security-lead" in changes[0].detail
