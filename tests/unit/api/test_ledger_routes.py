"""The ledger over HTTP: a tlog-tiles client can verify the served log and an event's proof."""

from __future__ import annotations

import httpx

from stockade.ledger.proofs import verify_proof
from stockade.ledger.source import HttpSource
from stockade.ledger.verify import verify_log
from tests.node_fixtures import Api, door_line


def test_served_log_verifies_and_proofs_check_offline(api: Api) -> None:
    for part in range(3):
        body = b"\n".join(door_line(f"t{i}") for i in range(200 * part, 200 * part + 200))
        assert api.client.post("/v1/events", content=body, headers=api.auth("ingest")).json()["accepted"] == 200
    api.node.ledgers.checkpoint_all()
    verifiers = api.node.ledgers.keys.verifiers("stockade/dc-demo")
    transport = httpx.MockTransport(
        lambda req: httpx.Response(
            (r := api.client.get(req.url.path, headers=api.auth("read"))).status_code,
            content=r.content, headers=dict(r.headers)))
    with httpx.Client(transport=transport, base_url="http://stockade") as client:
        report = verify_log(HttpSource("http://stockade/v1/ledger/dc-demo/", client), verifiers)
    assert report.size == 600
    full = api.client.get("/v1/ledger/dc-demo/tile/0/000", headers=api.auth("read"))
    assert "immutable" in full.headers["cache-control"]
    partial = api.client.get("/v1/ledger/dc-demo/tile/0/002.p/88", headers=api.auth("read"))
    assert partial.status_code == 200
    assert partial.headers["cache-control"] == "no-cache"
    proof = api.client.get("/v1/ledger/dc-demo/proof/t123", headers=api.auth("read"))
    assert proof.status_code == 200
    checked = verify_proof(proof.content, verifiers)
    assert checked.index == 123
    assert b"\"id\":\"t123\"" in checked.entry
    assert api.client.get("/v1/ledger/dc-demo/tile/9/../../x", headers=api.auth("read")).status_code == 404
    assert api.client.get("/v1/ledger/dc-demo/checkpoint").status_code == 401


def test_consistency_from_the_empty_tree_is_a_named_422_not_a_500(api: Api) -> None:
    """RFC 9162 defines no consistency proof from size 0: asked for one, on an empty log or not, the
    answer names the parameter (it used to be a 500 from the proof code)."""
    empty = api.client.get("/v1/ledger/dc-demo/consistency?old=0", headers=api.auth("read"))
    assert empty.status_code == 422
    assert "old" in empty.text
    assert api.client.get("/v1/ledger/dc-demo/consistency?old=1", headers=api.auth("read")).status_code == 422
    body = b"\n".join(door_line(f"c{i}") for i in range(5))
    assert api.client.post("/v1/events", content=body, headers=api.auth("ingest")).json()["accepted"] == 5
    api.node.ledgers.checkpoint_all()
    assert api.client.get("/v1/ledger/dc-demo/consistency?old=0", headers=api.auth("read")).status_code == 422
    proof = api.client.get("/v1/ledger/dc-demo/consistency?old=2", headers=api.auth("read"))
    assert proof.status_code == 200
    assert len(proof.text.splitlines()) >= 1
