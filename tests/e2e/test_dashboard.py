"""The security desk in the system Chromium: sign in, live feed, acting, refusals, expiry, every page clean."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import msgspec
import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

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
    csrf = page.locator("body").get_attribute("hx-headers") or ""
    token = csrf.split('"X-CSRF-Token": "')[1].split('"')[0]
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
