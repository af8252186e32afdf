"""The dashboard through the app: sign-in, pages with real data, what each key may do, CSRF, expiry."""

from __future__ import annotations

import re

from stockade.store import EventQuery
from tests.node_fixtures import door_line, now_iso
from tests.unit.web.conftest import Desk

PAGES = ["/ui/", "/ui/sites/dc-demo", "/ui/alerts", "/ui/incidents", "/ui/access", "/ui/inventory", "/ui/ledger"]


def test_pages_need_a_session(desk: Desk) -> None:
    for path in PAGES:
        r = desk.client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/ui/login"), path


def test_sign_in_refuses_a_wrong_key_and_a_key_that_cannot_read(desk: Desk) -> None:
    r = desk.client.post("/ui/login", data={"key": "stk_nope_nope"})
    assert r.status_code == 401
    assert "unknown or wrong API key" in r.text
    r = desk.client.post("/ui/login", data={"key": desk.keys["ingest"]})
    assert r.status_code == 403
    assert "cannot read" in r.text
    assert "stockade_session" not in desk.client.cookies


def test_the_session_cookie_is_httponly_and_samesite_strict(desk: Desk) -> None:
    r = desk.client.post("/ui/login", data={"key": desk.keys["read"]}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/ui" in cookie
    assert desk.keys["read"] not in r.headers["set-cookie"]  # the key never goes to the browser


def test_every_page_renders_the_sites_real_data(desk: Desk) -> None:
    desk.forced_door()
    c = desk.sign_in("read")
    for path in PAGES:
        r = c.get(path)
        assert r.status_code == 200, path
        assert "Content-Security-Policy" in r.headers
    alerts = c.get("/ui/alerts?site=dc-demo").text
    assert "STK-DOR-001" in alerts
    assert "D-HV" in alerts
    site = c.get("/ui/sites/dc-demo").text
    assert 'data-zone="hv-cage"' in site
    assert "D-HV: forced" in site
    incidents = c.get("/ui/incidents?site=dc-demo").text
    found = re.search(r'href="/ui/incidents/dc-demo/([^"]+)"', incidents)
    assert found, "the forced door opened no incident on the page"
    page = c.get(f"/ui/incidents/dc-demo/{found.group(1)}").text
    assert "Timeline" in page
    assert "forced" in page


def test_times_are_shown_in_the_sites_local_time_with_offset(desk: Desk) -> None:
    desk.forced_door()
    page = desk.sign_in("read").get("/ui/alerts?site=dc-demo").text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", page)
    assert "Z</td>" not in page


def test_the_live_picture_marks_devices_down_and_door_states(desk: Desk) -> None:
    desk.post_events(
        door_line("d1", state="forced", door="D-HV"),
        b'{"id":"dev1","kind":"device","ts":"%s","site":"dc-demo","source":"ctl-1","device":"C-HV-1",'
        b'"status":"offline"}' % now_iso(-30).encode(),
    )
    live = desk.client.get("/v1/sites/dc-demo/live", headers={"Authorization": f"Bearer {desk.keys['read']}"}).json()
    assert live["doors"]["D-HV"] == "forced"
    assert [d["device"] for d in live["devices_down"]] == ["C-HV-1"]
    assert "hv-cage" in live["devices_down"][0]["zones"]
    page = desk.sign_in("read").get("/ui/sites/dc-demo").text
    assert "C-HV-1 is down" in page


def test_a_read_key_sees_no_controls_and_a_forged_form_is_refused_by_the_api(desk: Desk) -> None:
    c = desk.sign_in("read")
    page = c.get("/ui/access?site=dc-demo").text
    assert "Set threat level" not in page
    csrf = desk.csrf()
    r = c.post("/ui/access/dc-demo/threat-level", data={"csrf": csrf, "level": "lockdown", "detail": "forged"},
               follow_redirects=False)
    assert r.status_code == 303
    assert "403" in r.headers["location"]
    assert desk.node.access.threat_levels("dc-demo").site == "normal"


def test_an_analyst_sets_a_threat_level_and_the_log_records_who(desk: Desk) -> None:
    c = desk.sign_in("analyst")
    assert "Set threat level" in c.get("/ui/access?site=dc-demo").text
    r = c.post("/ui/access/dc-demo/threat-level", data={"csrf": desk.csrf(), "zone": "hv-cage", "level": "lockdown",
                                                        "detail": "drill"}, follow_redirects=False)
    assert r.status_code == 303
    assert "error" not in r.headers["location"]
    assert desk.node.access.threat_levels("dc-demo").zones["hv-cage"] == "lockdown"
    admin = desk.node.store.query(EventQuery("dc-demo", kinds=("admin",), newest_first=True, limit=1))[0].event
    assert admin.action == "set_threat_level"
    assert admin.zone == "hv-cage"
    page = c.get("/ui/sites/dc-demo").text
    assert "threat-lockdown" in page  # the map floods the zone, the page its background


def test_forms_without_the_sessions_csrf_token_are_refused(desk: Desk) -> None:
    c = desk.sign_in("analyst")
    r = c.post("/ui/access/dc-demo/threat-level", data={"level": "lockdown", "detail": "x"})
    assert r.status_code == 403
    assert "CSRF" in r.text
    r = c.post("/ui/access/dc-demo/threat-level", data={"csrf": "guess", "level": "lockdown", "detail": "x"})
    assert r.status_code == 403
    r = c.post("/ui/access/dc-demo/threat-level", data={"csrf": desk.csrf(), "level": "lockdown", "detail": "x"},
               headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert "cross-origin" in r.text
    assert desk.node.access.threat_levels("dc-demo").site == "normal"


def test_the_session_ends_after_its_idle_time_and_at_sign_out(desk: Desk) -> None:
    c = desk.sign_in("read")
    assert c.get("/ui/").status_code == 200
    desk.clock.now += 15 * 60 + 1
    r = c.get("/ui/", follow_redirects=False)
    assert r.status_code == 303
    assert "session has ended" in r.headers["location"].replace("+", " ")
    c = desk.sign_in("read")
    c.post("/ui/logout")
    assert c.get("/ui/", follow_redirects=False).status_code == 303


def test_a_key_bound_to_another_site_sees_none_of_this_one(desk: Desk) -> None:
    c = desk.sign_in("other")
    assert "data-site=\"dc-demo\"" not in c.get("/ui/").text
    assert c.get("/ui/sites/dc-demo").status_code == 404


def test_the_ledger_page_verifies_the_whole_log_through_the_api(desk: Desk) -> None:
    desk.forced_door(3)
    desk.node.ledgers.checkpoint_all()
    c = desk.sign_in("read")
    page = c.get("/ui/ledger").text
    assert "stockade/dc-demo" in page
    r = c.post("/ui/ledger/dc-demo/verify", headers={"X-CSRF-Token": desk.csrf()})
    assert r.status_code == 200
    assert "Verified:" in r.text, r.text


def test_an_analyst_acknowledges_an_incident_from_its_page_and_the_log_records_who(desk: Desk) -> None:
    desk.forced_door()
    c = desk.sign_in("analyst")
    found = re.search(r'href="/ui/incidents/dc-demo/([^"]+)"', c.get("/ui/incidents?site=dc-demo").text)
    assert found, "the forced door opened no incident on the page"
    incident = found.group(1)
    page = c.get(f"/ui/incidents/dc-demo/{incident}").text
    assert 'data-to="acknowledged"' in page
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    r = c.post(f"/ui/incidents/dc-demo/{incident}/transition",
               data={"csrf": desk.csrf(), "to": "acknowledged", "version": version.group(1), "reason": "on it"},
               follow_redirects=False)
    assert r.status_code == 303
    assert "error" not in r.headers["location"], r.headers["location"]
    state = desk.client.get(f"/v1/incidents/dc-demo/{incident}",
                            headers={"Authorization": f"Bearer {desk.keys['analyst']}"}).json()
    assert state["status"] == "acknowledged"
    acked = [h for h in state["history"] if h.get("to") == "acknowledged"]
    assert [h["actor"] for h in acked] == [desk.keys["analyst"].split("_")[1]]
    stale = c.post(f"/ui/incidents/dc-demo/{incident}/transition",
                   data={"csrf": desk.csrf(), "to": "contained", "version": version.group(1)}, follow_redirects=False)
    assert "409" in stale.headers["location"]  # two analysts cannot overwrite each other


def test_a_read_key_sees_an_incident_but_no_lifecycle_controls(desk: Desk) -> None:
    desk.forced_door()
    c = desk.sign_in("read")
    found = re.search(r'href="/ui/incidents/dc-demo/([^"]+)"', c.get("/ui/incidents?site=dc-demo").text)
    assert found
    page = c.get(f"/ui/incidents/dc-demo/{found.group(1)}").text
    assert "Timeline" in page
    assert "/transition" not in page
