"""The evidence port against Frigate's HTTP API, with the responses Frigate's own code sends
(frigate/api/event.py ``set_retain``: 200 ``{"success": true, "message": "Event <id> retained"}``,
404 ``{"success": false, "message": "Event <id> not found"}``)."""

from __future__ import annotations

import httpx
import pytest

from stockade.connectors.frigate.evidence import FrigateEvidence
from stockade.response.ports import PortError, RetainRequest

KNOWN = {"1718987128.947436-g92ztx", "1718987148.879516-d7oq7r"}


class FakeFrigate:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        parts = request.url.path.split("/")
        if request.method != "POST" or parts[1:3] != ["api", "events"] or parts[4:] != ["retain"]:
            return httpx.Response(404, text="Not Found")
        if parts[3] not in KNOWN:
            return httpx.Response(404, json={"success": False, "message": f"Event {parts[3]} not found"})
        return httpx.Response(200, json={"success": True, "message": f"Event {parts[3]} retained"})


@pytest.fixture
def fake() -> FakeFrigate:
    return FakeFrigate()


def test_retain_posts_each_clip_once_per_intent(fake: FakeFrigate) -> None:
    store = FrigateEvidence("http://frigate:5000/", transport=httpx.MockTransport(fake))
    req = RetainRequest("dc-demo", "inc-1", tuple(sorted(KNOWN)))
    store.retain("intent-1", req)
    store.retain("intent-1", req)  # the same intent: not sent again
    assert fake.calls == [f"POST /api/events/{c}/retain" for c in sorted(KNOWN)]


def test_an_unknown_clip_fails_with_frigates_message(fake: FakeFrigate) -> None:
    store = FrigateEvidence("http://frigate:5000", transport=httpx.MockTransport(fake))
    with pytest.raises(PortError, match="not found"):
        store.retain("intent-2", RetainRequest("dc-demo", "inc-1", ("1700000000.1-zzzzzz",)))
    store.retain("intent-3", RetainRequest("dc-demo", "inc-1", ("1718987128.947436-g92ztx",)))


@pytest.mark.parametrize("clip", ["../../api/restart", "1.2-x/../../x", "", "a" * 100])
def test_clip_ids_are_checked_before_they_reach_a_url(fake: FakeFrigate, clip: str) -> None:
    store = FrigateEvidence("http://frigate:5000", transport=httpx.MockTransport(fake))
    with pytest.raises(PortError, match="not Frigate event ids"):
        store.retain("intent-4", RetainRequest("dc-demo", "inc-1", (clip,)))
    assert fake.calls == []


def test_frigate_unreachable_is_a_port_error() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    store = FrigateEvidence("http://frigate:5000", transport=httpx.MockTransport(down))
    with pytest.raises(PortError, match="could not be asked"):
        store.retain("intent-5", RetainRequest("dc-demo", "inc-1", ("1718987128.947436-g92ztx",)))
