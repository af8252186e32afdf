"""The security desk in the system Chromium: sign in, live feed, acting, refusals, expiry, every page clean."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import msgspec
import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

from stockade.store import IncidentQuery
from tests.e2e.conftest import Desk, save_screenshot
from tests.node_fixtures import door_line, now_iso

pytestmark = pytest.mark.browser
PAGES = {"overview": "/ui/", "site": "/ui/sites/dc-demo", "alerts": "/ui/alerts?site=dc-demo",
         "incidents": "/ui/incidents?site=dc-demo", "access": "/ui/access?site=dc-demo",
         "inventory": "/ui/inventory?site=dc-demo", "ledger": "/ui/ledger"}


@pytest.fixture
def watched(page: Page, desk: Desk) -> Iterator[tuple[Page, list[str]]]:
    """The page, and every problem seen: console errors and requests that leave 127.0.0.1."""
    problems: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            problems.append(f"console: {msg.text}")

    def on_request(req: Request) -> None:
        host = urlparse(req.url).hostname
        if req.url.startswith(("http:", "https:", "ws:", "wss:")) and host != "127.0.0.1":
            problems.append(f"request left 127.0.0.1: {req.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", on_request)
    return page, problems


def sign_in(page: Page, desk: Desk, key: str) -> None:
    page.goto(desk.url + "/ui/login")
    page.fill("input[name=key]", desk.keys[key])
    page.click("button[type=submit]")
    expect(page.locator("nav")).to_contain_text(key_id(desk, key))


def key_id(desk: Desk, key: str) -> str:
    return desk.keys[key].split("_")[1]


def post(desk: Desk, *lines: bytes) -> None:
    r = httpx.post(desk.url + "/v1/events", content=b"\n".join(lines),
                   headers={"Authorization": f"Bearer {desk.keys['ingest']}"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == len(lines), r.text


def test_every_page_renders_clean_and_is_saved_as_a_screenshot(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    post(desk, door_line("f1", state="forced", door="D-HV"),
         msgspec.json.encode({"id": "dv1", "kind": "device", "ts": now_iso(-30), "site": "dc-demo",
                              "source": "ctl-1", "device": "C-HV-1", "status": "offline"}))
    assert desk.node.wait_for_engine("dc-demo", 10)
    sign_in(page, desk, "analyst")
    for name, path in PAGES.items():
        page.goto(desk.url + path)
        expect(page.locator("main h1")).to_be_visible()
        save_screenshot(page, name)
    page.goto(desk.url + "/ui/incidents?site=dc-demo")
    page.locator("td a").first.click()
    expect(page.locator("h2", has_text="Timeline")).to_be_visible()
    save_screenshot(page, "incident")
    assert problems == []


def test_an_event_posted_to_the_api_appears_on_the_feed_without_a_reload(
        watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    sign_in(page, desk, "read")
    page.goto(desk.url + "/ui/alerts?site=dc-demo")
    expect(page.locator("tr.alert")).to_have_count(0)
    page.wait_for_function("() => document.querySelector('#feed') && htmx.find('#feed')")
    page.wait_for_timeout(300)  # let the EventSource connect before the event is posted
    post(desk, door_line("live-1", state="forced", door="D-HV"))
    expect(page.locator("tr.alert").first).to_contain_text("STK-DOR-001", timeout=2000)
    assert problems == []


def test_a_read_key_cannot_act_and_a_forged_post_is_refused(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    sign_in(page, desk, "read")
    page.goto(desk.url + "/ui/access?site=dc-demo")
    expect(page.locator("form.set-threat")).to_have_count(0)
    token = csrf_of(page)
    r = page.request.post(desk.url + "/ui/access/dc-demo/threat-level",
                          form={"csrf": token, "level": "lockdown", "detail": "forged"}, max_redirects=0)
    assert r.status == 303
    assert "403" in r.headers["location"]
    assert desk.node.access.threat_levels("dc-demo").site == "normal"
    assert problems == []


def test_an_analyst_locks_a_zone_from_the_access_page(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    sign_in(page, desk, "analyst")
    page.goto(desk.url + "/ui/access?site=dc-demo")
    page.select_option("form.set-threat select[name=zone]", "dock-out")
    page.select_option("form.set-threat select[name=level]", "lockdown")
    page.fill("form.set-threat input[name=detail]", "goods leaving unexplained")
    page.click("form.set-threat button")
    expect(page.locator("td", has_text="dock-out")).to_be_visible()
    assert desk.node.access.threat_levels("dc-demo").zones["dock-out"] == "lockdown"
    page.goto(desk.url + "/ui/sites/dc-demo")
    expect(page.locator('g[data-zone="dock-out"]')).to_have_class("zone zone-dock threat-lockdown")
    assert problems == []


def test_the_session_expires(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    sign_in(page, desk, "read")
    desk.clock.now += 15 * 60 + 1
    page.goto(desk.url + "/ui/")
    expect(page.locator("h1")).to_have_text("Sign in to Stockade")
    expect(page.locator(".error")).to_contain_text("session has ended")
    assert problems == []


def test_the_ledger_is_verified_from_the_browser(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    post(desk, door_line("l1"), door_line("l2"))
    desk.node.ledgers.checkpoint_all()
    sign_in(page, desk, "read")
    page.goto(desk.url + "/ui/ledger")
    page.click("text=Verify the whole log now")
    expect(page.locator(".verified")).to_contain_text("Verified:", timeout=10_000)
    assert problems == []


LOCK = "blind-and-grab:approve-lock"


def awaiting_lock(desk: Desk) -> str:
    """Force the cage door; the id of the incident whose lock step then waits for a person's approval."""
    post(desk, door_line("f-lock", state="forced", door="D-HV"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for state in desk.node.store.list_incidents(IncidentQuery("dc-demo", limit=100)):
            step = state.step(LOCK)
            if step is not None and step.status == "awaiting_approval":
                return state.id
        time.sleep(0.05)
    raise AssertionError("no incident asked for the lock's approval within 30 s")


def api_get(desk: Desk, path: str, **params: str) -> Any:
    r = httpx.get(desk.url + path, params=params, headers={"Authorization": f"Bearer {desk.keys['analyst']}"})
    assert r.status_code == 200, r.text
    return r.json()


def logged_decisions(desk: Desk, action: str) -> list[dict[str, Any]]:
    """The site log's ``action`` events recording a decision on the lock step."""
    items = api_get(desk, "/v1/events", site="dc-demo", kind="action", limit="500")["items"]
    return [e["event"] for e in items if e["event"]["action"] == action and e["event"].get("target") == LOCK]


@pytest.mark.parametrize(("button", "verdict", "action"), [("Approve", "approved", "step.approve"),
                                                           ("Reject", "rejected", "step.reject")])
def test_an_analyst_decides_a_playbook_step_in_the_incident_page(
        watched: tuple[Page, list[str]], desk: Desk, button: str, verdict: str, action: str) -> None:
    page, problems = watched
    incident = awaiting_lock(desk)
    sign_in(page, desk, "analyst")
    page.goto(f"{desk.url}/ui/incidents/dc-demo/{incident}")
    row = page.locator(f'tr[data-step="{LOCK}"]')
    expect(row.locator(".step-status")).to_have_text("awaiting_approval", timeout=10_000)
    if verdict == "rejected":
        row.locator("input[name=reason]").fill("the dock is full of our own people")
    row.locator("button", has_text=button).click()
    expect(page.locator(f'tr[data-step="{LOCK}"] .step-status')).not_to_have_text("awaiting_approval",
                                                                                   timeout=10_000)
    expect(page.locator(".error")).to_have_count(0)
    expect(page.locator(f'tr[data-step="{LOCK}"] button')).to_have_count(0)  # decided: nothing left to press
    save_screenshot(page, f"incident-{verdict}")
    state = api_get(desk, f"/v1/incidents/dc-demo/{incident}")
    step = next(s for s in state["steps"] if s["id"] == LOCK)
    assert step["status"] != "awaiting_approval"
    assert [s["status"] for s in state["steps"] if s["id"] == LOCK] != ["planned"]
    logged = logged_decisions(desk, action)
    assert [e["actor"] for e in logged] == [key_id(desk, "analyst")]
    assert step["status"] == verdict or (verdict == "approved" and step["status"] in ("sent", "confirmed"))
    assert problems == []


def test_an_analyst_acknowledges_an_incident_in_the_page(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    incident = awaiting_lock(desk)
    sign_in(page, desk, "analyst")
    page.goto(f"{desk.url}/ui/incidents/dc-demo/{incident}")
    page.fill('form:has(button[data-to="acknowledged"]) input[name=reason]', "on my way to the cage")
    page.click('button[data-to="acknowledged"]')
    expect(page.locator("h1 .status")).to_have_text("acknowledged", timeout=10_000)
    state = api_get(desk, f"/v1/incidents/dc-demo/{incident}")
    assert state["status"] == "acknowledged"
    items = api_get(desk, "/v1/events", site="dc-demo", kind="action", limit="500")["items"]
    acked = [e["event"] for e in items if e["event"]["action"] == "incident.transition"
             and e["event"].get("target") == "acknowledged"]
    assert [(e["actor"], e.get("detail")) for e in acked] == [(key_id(desk, "analyst"), "on my way to the cage")]
    assert problems == []


def test_a_read_key_cannot_decide_a_step_nor_move_an_incident(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    incident = awaiting_lock(desk)
    sign_in(page, desk, "read")
    page.goto(f"{desk.url}/ui/incidents/dc-demo/{incident}")
    expect(page.locator(f'tr[data-step="{LOCK}"] .step-status')).to_have_text("awaiting_approval")
    expect(page.locator("button.approve")).to_have_count(0)
    expect(page.locator("form[action$='/transition']")).to_have_count(0)
    token = csrf_of(page)
    for path, form in ((f"/steps/{LOCK}/approve", {"csrf": token}),
                       ("/transition", {"csrf": token, "to": "acknowledged", "version": "1"})):
        r = page.request.post(f"{desk.url}/ui/incidents/dc-demo/{incident}{path}", form=form, max_redirects=0)
        assert r.status == 303
        assert "error=403" in r.headers["location"], r.headers["location"]
    state = api_get(desk, f"/v1/incidents/dc-demo/{incident}")
    assert state["status"] == "new"
    assert next(s for s in state["steps"] if s["id"] == LOCK)["status"] == "awaiting_approval"
    assert logged_decisions(desk, "step.approve") == []
    assert problems == []


def test_an_analyst_without_the_steps_role_is_offered_no_decision_and_refused_one(
        watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    incident = awaiting_lock(desk)
    sign_in(page, desk, "clerk")
    page.goto(f"{desk.url}/ui/incidents/dc-demo/{incident}")
    row = page.locator(f'tr[data-step="{LOCK}"]')
    expect(row.locator(".step-status")).to_have_text("awaiting_approval", timeout=10_000)
    expect(row.locator(".needs-role")).to_have_text("your key has no role that decides it")
    expect(row.locator("button")).to_have_count(0)
    expect(page.locator('button[data-to="acknowledged"]')).to_have_count(1)  # an analyst still works the incident
    r = page.request.post(f"{desk.url}/ui/incidents/dc-demo/{incident}/steps/{LOCK}/approve",
                          form={"csrf": csrf_of(page)}, max_redirects=0)
    assert r.status == 303
    assert "error=403" in r.headers["location"], r.headers["location"]
    assert next(s for s in api_get(desk, f"/v1/incidents/dc-demo/{incident}")["steps"]
                if s["id"] == LOCK)["status"] == "awaiting_approval"
    assert logged_decisions(desk, "step.approve") == []
    assert problems == []


def test_a_session_left_idle_sends_the_next_live_request_to_sign_in(
        watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    sign_in(page, desk, "read")
    page.goto(desk.url + "/ui/sites/dc-demo")
    expect(page.locator("main h1")).to_be_visible()
    desk.clock.now += 15 * 60 + 1  # idle past the configured timeout: the page's next poll finds no session
    expect(page.locator("h1")).to_have_text("Sign in to Stockade", timeout=30_000)
    r = page.request.get(desk.url + "/ui/", max_redirects=0)
    assert r.status == 303
    assert problems == []


def csrf_of(page: Page) -> str:
    headers = page.locator("body").get_attribute("hx-headers") or ""
    return headers.split('"X-CSRF-Token": "')[1].split('"')[0]


def test_an_admin_makes_and_revokes_a_key_and_sees_the_playbooks(watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    sign_in(page, desk, "admin")
    page.click("nav >> text=Admin")
    expect(page.locator(".validation")).to_contain_text("Valid:")
    expect(page.locator('tr[data-playbook="blind-and-grab"]')).to_contain_text("approve-lock")
    page.check("form.create-key input[value=ingest]")
    page.select_option("form.create-key select[name=site]", "dc-demo")
    page.fill("form.create-key input[name=sources]", "ctl-9")
    page.fill("form.create-key input[name=label]", "the new dock controller")
    page.click("form.create-key button")
    token = page.locator("code.token").inner_text(timeout=10_000)
    save_screenshot(page, "admin")
    made = desk.node.store.get_key(token.split("_")[1])
    assert made is not None
    assert (made.scopes, made.site, made.sources) == (("ingest",), "dc-demo", ("ctl-9",))
    page.goto(desk.url + "/ui/admin")
    expect(page.locator("code.token")).to_have_count(0)  # shown once
    page.locator(f'tr[data-key="{made.key_id}"] form.revoke button').click()
    expect(page.locator(f'tr[data-key="{made.key_id}"] .key-state')).to_have_text("revoked")
    r = httpx.get(desk.url + "/v1/keys/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert problems == []


def test_an_analyst_has_no_admin_control_and_a_forged_key_form_is_refused(
        watched: tuple[Page, list[str]], desk: Desk) -> None:
    page, problems = watched
    sign_in(page, desk, "analyst")
    expect(page.locator("nav a", has_text="Admin")).to_have_count(0)
    before = len(desk.node.store.list_keys())
    r = page.request.post(desk.url + "/ui/admin/keys", form={"csrf": csrf_of(page), "scopes": "admin"},
                          max_redirects=0)
    assert r.status == 303
    assert "error=403" in r.headers["location"]
    r = page.request.post(f"{desk.url}/ui/admin/keys/{key_id(desk, 'admin')}/revoke", form={"csrf": csrf_of(page)},
                          max_redirects=0)
    assert "error=403" in r.headers["location"]
    assert len(desk.node.store.list_keys()) == before
    assert not desk.node.store.get_key(key_id(desk, "admin")).revoked  # type: ignore[union-attr]  # the desk's own
    assert problems == []
