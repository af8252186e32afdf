"""BodyGuard: no body is read before its key authenticates, none past its route's limit, no bad JSON reaches a model.

The attack of issue 18.6: unauthenticated 256 MiB bodies to ``/v1/access/decide``
and ``PUT /v1/access/threat-levels/…`` were read and parsed before the key
was checked. Here the attacker speaks raw HTTP to a real uvicorn, announces a
body and never sends it: the answer must come anyway, so the node cannot have
waited for (or held) the body.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stockade.api.app import create_app
from stockade.api.limits import DEFAULT_LIMIT, body_limit, rule_of
from stockade.api.witness import MAX_BODY, create_witness_app
from stockade.node.keys import new_key
from tests.live_server import serve
from tests.node_fixtures import Api, make_node

DECIDE = {"site": "dc-demo", "door": "D-HV", "credential": "badge:1020", "factors": [{"type": "badge"}]}


@dataclass
class Live:
    host: str
    port: int
    keys: dict[str, str]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    node = make_node(tmp_path / "data")
    keys = {}
    for name, scopes in (("pep", ("pep",)), ("read", ("read",)), ("analyst", ("analyst",))):
        token, record = new_key(scopes)
        node.store.put_key(record)
        keys[name] = token
    with serve(create_app(node)) as base:
        host, port = base.removeprefix("http://").split(":")
        yield Live(host, int(port), keys)


def raw(live: Live, head: str, body: bytes = b"", chunks: Iterator[bytes] | None = None) -> tuple[int, bytes, int]:
    """Send a request by hand; the status, the response, and how many body bytes the server let us send."""
    with socket.create_connection((live.host, live.port), timeout=10) as s:
        s.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        sent = len(body)
        s.settimeout(0.05 if chunks else 10)
        answer = b""
        for chunk in chunks or ():
            with contextlib.suppress(TimeoutError):
                answer += s.recv(65536)
            if answer:
                break
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break
            sent += len(chunk)
        s.settimeout(10)
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            got = s.recv(65536)
            if not got:
                break
            answer += got
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1], sent


def detail(body: bytes) -> object:
    return json.loads(body)["detail"]


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/access/decide"),
                                              ("PUT", "/v1/access/threat-levels/dc-demo")])
def test_unauthenticated_body_is_refused_before_a_byte_of_it_is_read(live: Live, method: str, path: str) -> None:
    head = (f"{method} {path} HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 10000\n"
            "Authorization: Bearer stk_000000000000_wrong\n")
    status, body, sent = raw(live, head)  # the 10,000 bytes announced are never sent
    assert status == 401
    assert sent == 0
    assert "unknown or wrong API key" in str(detail(body))


def test_unauthenticated_chunked_body_is_refused_before_a_chunk_is_read(live: Live) -> None:
    head = "POST /v1/access/decide HTTP/1.1\nHost: x\nContent-Type: application/json\nTransfer-Encoding: chunked\n"
    status, body, _ = raw(live, head)
    assert status == 401
    assert "API key is required" in str(detail(body))


def test_announced_256_mib_body_is_413_at_once_and_names_the_limit(live: Live) -> None:
    head = (f"POST /v1/access/decide HTTP/1.1\nHost: x\nContent-Type: application/json\n"
            f"Content-Length: {256 * 1024 * 1024}\nAuthorization: Bearer {live.keys['pep']}\n")
    status, body, sent = raw(live, head)
    assert status == 413
    assert sent == 0
    assert "limit of 16384 bytes" in str(detail(body))


def test_chunked_body_past_the_limit_is_cut_off(live: Live) -> None:
    head = (f"POST /v1/access/decide HTTP/1.1\nHost: x\nContent-Type: application/json\n"
            f"Transfer-Encoding: chunked\nAuthorization: Bearer {live.keys['pep']}\n")
    status, body, sent = raw(live, head, chunks=iter([b" " * 4096] * 4096))  # 16 MiB offered
    assert status == 413
    assert "limit of 16384 bytes" in str(detail(body))
    assert sent < 4 * 1024 * 1024  # the server answered long before the 16 MiB were through


def test_body_on_a_route_that_takes_none_is_413(api: Api) -> None:
    r = api.client.request("GET", "/v1/events?site=dc-demo", content=b"x" * 10, headers=api.auth("read"))
    assert r.status_code == 413
    assert r.json()["detail"] == "this route takes no request body"


def test_decide_over_its_limit_is_413(api: Api) -> None:
    body = json.dumps(DECIDE | {"credential": "b" * 17_000}).encode()
    r = api.client.post("/v1/access/decide", content=body, headers=api.auth("pep") | {"Content-Type":
                                                                                      "application/json"})
    assert r.status_code == 413
    assert "16384" in r.json()["detail"]


def test_a_key_without_the_scope_gets_403_on_a_body_route(api: Api) -> None:
    r = api.client.put("/v1/access/threat-levels/dc-demo", json={"level": "lockdown"}, headers=api.auth("read"))
    assert r.status_code == 403
    assert "analyst" in r.json()["detail"]


def test_body_not_sent_as_json_is_415(api: Api) -> None:
    r = api.client.post("/v1/access/decide", content=json.dumps(DECIDE).encode(),
                        headers=api.auth("pep") | {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert "application/json" in r.json()["detail"]


def factor(score: str) -> bytes:
    head = b'{"site": "dc-demo", "door": "D-HV", "credential": "badge:1020", "factors": [{"type": "badge"}, '
    return head + b'{"type": "face", "score": ' + score.encode() + b"}]}"


@pytest.mark.parametrize(("body", "loc", "words"), [
    (factor("true"), ["body", "factors", 1, "face", "score"], "valid number"),
    (factor("NaN"), ["body", "factors", 1, "score"], "NaN"),
    (factor("Infinity"), ["body", "factors", 1, "score"], "infinite"),
    (factor("-Infinity"), ["body", "factors", 1, "score"], "infinite"),
    (factor("1e999"), ["body", "factors", 1, "score"], "1e999"),
    (factor("1" + "0" * 30), ["body", "factors", 1, "score"], "64-bit"),
    (factor("1" + "0" * 5000), ["body"], "malformed JSON"),
    (factor('"0.9"'), ["body", "factors", 1, "face", "score"], "valid number"),
    (b'{"site": "\\ud800", "door": "D-HV", "credential": "b", "factors": [{"type": "badge"}]}', ["body", "site"],
     "surrogate"),
    (b'{"site": ' + b"[" * 40 + b"]" * 40 + b"}", ["body", "site", *[0] * 31], "deeper than 32"),
    (b'{"site": ' + b"[" * 5000 + b"]" * 5000 + b"}", ["body"], "deeper than 32"),
    (b'{"site": "dc-demo", "site": "dc-other", "door": "D-HV", "credential": "b", "factors": []}', ["body"],
     "twice"),
    (b'{"site": "dc-demo", "door": "D-HV", "credential": "b", "factors": [{"type": "badge"}], '
     b'"reader": {"online": 1}}', ["body", "reader", "online"], "valid boolean"),
])
def test_hostile_json_is_422_naming_the_field_never_500(api: Api, body: bytes, loc: list[object],
                                                        words: str) -> None:
    r = api.client.post("/v1/access/decide", content=body,
                        headers=api.auth("pep") | {"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    items = r.json()["detail"]
    assert items[0]["loc"] == loc
    assert words in items[0]["msg"]
    assert "input" not in items[0]  # never echoed: an echoed NaN or surrogate could not be written back


def test_after_seq_beyond_2_63_is_422_naming_it(api: Api) -> None:
    r = api.client.get(f"/v1/events?site=dc-demo&after_seq={2**63}", headers=api.auth("read"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "after_seq"]


@pytest.mark.parametrize(("path", "param"), [
    (f"/v1/ledger/dc-demo/consistency?old={2**64}", "old"),
    (f"/v1/ledger/dc-demo/consistency?old=1&new={2**70}", "new"),
    (f"/v1/stream?limit={2**64}", "limit"),
    (f"/v1/alerts?limit={2**64}", "limit"),
    (f"/v1/risk/dc-demo?n={-2**64}", "n"),
])
def test_every_integer_parameter_out_of_range_is_422(api: Api, path: str, param: str) -> None:
    r = api.client.get(path, headers=api.auth("read"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", param]


def test_routes_declare_limits_and_others_get_the_method_default() -> None:
    class Route:
        openapi_extra = body_limit(8 * 1024 * 1024, media_type="application/ld+json")

    assert rule_of(Route(), "POST", 1).limit == 8 * 1024 * 1024  # type: ignore[arg-type]  # a stand-in route
    assert rule_of(None, "GET", 1).limit == 0
    assert rule_of(None, "POST", 1).limit == DEFAULT_LIMIT


def test_witness_endpoint_stops_a_huge_body_at_its_limit(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    class NoWitness:
        vkey = "none"

        def add_checkpoint(self, body: bytes) -> object:
            raise AssertionError("an oversized body must not reach the witness")

    client = TestClient(create_witness_app(NoWitness()))  # type: ignore[arg-type]  # only add_checkpoint is used
    r = client.post("/add-checkpoint", content=b"x" * (MAX_BODY + 1))
    assert r.status_code == 413
    assert str(MAX_BODY) in r.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/alerts?since=1700000000",
                                  "/v1/events?site=dc-demo&until=-1.5", "/v1/access/decisions?site=dc-demo&since=0"])
def test_a_number_is_not_a_time(api: Api, path: str) -> None:
    r = api.client.get(path, headers=api.auth("read"))
    assert r.status_code == 422
    assert "RFC 3339" in r.json()["detail"][0]["msg"]
