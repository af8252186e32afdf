"""What no canonical form can carry is refused line by line, and the lines beside it are kept
(issue 18.6): deep nesting, NaN / Infinity / 1e999, integers beyond ±(2^53 − 1), lone surrogates,
a boolean where a number is wanted — in POST /v1/events and in POST /v1/access/decide."""

from __future__ import annotations

import pytest

from tests.node_fixtures import Api, door_line, now_iso

HOSTILE = {
    "deep": b',"attrs":{"a":' + b"[" * 500 + b"]" * 500 + b"}",
    "nan": b',"duration_s":NaN',
    "infinity": b',"duration_s":-Infinity',
    "overflow": b',"duration_s":1e999',
    "beyond-2p53": b',"attrs":{"n":9007199254740993}',
    "beyond-2p63": b',"seq":9223372036854775808',
    "lone-surrogate": b',"attrs":{"note":"\\ud800"}',
    "bool-number": b',"duration_s":true',
}
FIELD = {"deep": "attrs", "nan": "duration_s", "infinity": "duration_s", "overflow": "duration_s",
         "beyond-2p53": "attrs.n", "beyond-2p63": "seq", "lone-surrogate": "attrs.note", "bool-number": "duration_s"}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_line_is_refused_alone_and_its_neighbours_are_kept(api: Api, case: str) -> None:
    bad = door_line(f"bad-{case}")[:-1] + HOSTILE[case] + b"}"
    body = b"\n".join([door_line(f"ok-1-{case}"), bad, door_line(f"ok-2-{case}")])
    r = api.client.post("/v1/events", content=body, headers=api.auth("ingest"))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["accepted", "rejected", "accepted"]
    assert results[1]["field"] == FIELD[case], results[1]
    assert results[1]["reason"]
    assert [row.event.id for row in api.node.store.read("dc-demo")] == [f"ok-1-{case}", f"ok-2-{case}"]


def test_a_too_deep_element_of_a_json_array_body_is_refused_alone(api: Api) -> None:
    deep = door_line("deep")[:-1] + b',"attrs":{"a":' + b"[" * 5000 + b"]" * 5000 + b"}}"
    body = b"[" + door_line("a1") + b"," + deep + b"," + door_line("a2") + b"]"
    r = api.client.post("/v1/events", content=body, headers=api.auth("ingest"))
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "rejected", "accepted"]


def test_a_boolean_is_not_a_biometric_score(api: Api) -> None:
    def decide(score: object) -> int:
        r = api.client.post("/v1/access/decide", headers=api.auth("pep"), json={
            "site": "dc-demo", "door": "D-HV", "credential": "badge:1020", "time": now_iso(),
            "factors": [{"type": "badge"}, {"type": "fingerprint", "score": score}]})
        if r.status_code == 422:
            assert any(e["loc"][-1] == "score" for e in r.json()["detail"]), r.text
        return r.status_code

    assert decide(True) == 422
    assert decide("0.99") == 422
    assert decide(0.99) == 200
    assert decide(1) == 200
