"""The EPCIS 2.0 REST binding: capture (rollback, proceed, limits, duplicates) and query back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from tests.node_fixtures import Api, wait_projected
from tests.shared_vectors import vectors
from tests.unit.inventory.epcis.site_fixture import DOCK_IN, EXAMPLES, document, object_event, site_data

SITE = "dc-epcis"
INVALID = sorted(vectors("epcis-invalid").glob("*.json"))
EPC1, EPC2 = "urn:epc:id:sgtin:0614141.107346.1", "urn:epc:id:sgtin:0614141.107346.2"


@pytest.fixture
def epcis(tmp_path: Path) -> Iterator[Api]:
    node, keys = open_node(tmp_path / "data")
    with TestClient(create_app(node)) as client:
        yield Api(client, node, keys)


def open_node(data: Path) -> tuple[Node, dict[str, str]]:
    (data / "sites").mkdir(parents=True)
    (data / "sites" / f"{SITE}.yaml").write_text(yaml.safe_dump(site_data(SITE)))
    node = Node.open(Settings(data_dir=data, max_body_bytes=400_000))
    keys: dict[str, str] = {}
    for name, scopes, site, sources, kinds in (
        ("wms", ("ingest",), SITE, ("wms-1",), ("stock",)), ("read", ("read",), None, (), ()),
        ("elsewhere", ("ingest",), "dc-nowhere", ("wms-1",), ("stock",)),
        ("reader-only", ("ingest",), SITE, ("wms-1",), ("tag",)),
    ):
        token, record = new_key(scopes, site=site, sources=sources, kinds=kinds)
        node.store.put_key(record)
        keys[name] = token
    return node, keys


def capture(api: Api, doc: Any, behaviour: str | None = None, ctype: str = "application/ld+json") -> dict[str, Any]:
    headers = {**api.auth("wms"), "Content-Type": ctype}
    if behaviour:
        headers["GS1-Capture-Error-Behaviour"] = behaviour
    r = api.client.post("/v1/epcis/capture", content=json.dumps(doc), headers=headers)
    assert r.status_code == 202, r.text
    job = api.client.get(r.headers["Location"], headers=api.auth("wms"))
    assert job.status_code == 200
    body: dict[str, Any] = job.json()
    assert body["running"] is False
    return body


def query(api: Api, **params: str) -> tuple[list[dict[str, Any]], Any]:
    r = api.client.get("/v1/epcis/events", params={"site": SITE, **params}, headers=api.auth("read"))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["type"] == "EPCISQueryDocument"
    return doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"], r


def test_every_gs1_example_is_captured_and_queried_back(epcis: Api) -> None:
    total = 0
    for path in sorted(EXAMPLES.rglob("*.jsonld")):
        doc = json.loads(path.read_text())
        if doc.get("type") != "EPCISDocument":
            continue
        job = capture(epcis, doc)
        dup = [e for e in job["errors"] if e["type"].endswith("ResourceAlreadyExistsException")]
        assert job["capturedCount"] + len(dup) == job["eventCount"], (path.name, job["errors"][:3])
        assert len(dup) == len(job["errors"]), (path.name, job["errors"][:3])
        total += job["capturedCount"]
    assert total > 40
    events, _ = query(epcis, perPage="1000")
    assert len(events) == total


def test_rollback_captures_nothing_when_one_event_is_bad(epcis: Api) -> None:
    bad = object_event("receiving", epcs=(EPC2,), action="CREATE")
    job = capture(epcis, document(object_event("receiving", epcs=(EPC1,)), bad))
    assert (job["success"], job["capturedCount"], job["captureErrorBehaviour"]) == (False, 0, "rollback")
    assert {e["path"] for e in job["errors"]} == {"$.epcisBody.eventList[1].action"}
    assert epcis.node.store.last_seq(SITE) == 0


def test_proceed_keeps_the_valid_events_and_lists_the_others(epcis: Api) -> None:
    bad = object_event("receiving", epcs=(EPC2,), action="CREATE")
    job = capture(epcis, document(object_event("receiving", epcs=(EPC1,)), bad), "proceed")
    assert (job["success"], job["capturedCount"], job["captureErrorBehaviour"]) == (False, 1, "proceed")
    assert {e["eventIndex"] for e in job["errors"]} == {1}
    wait_projected(epcis.node, SITE)
    events, _ = query(epcis, MATCH_epc=EPC1)
    assert len(events) == 1


def test_unknown_biz_location_is_refused(epcis: Api) -> None:
    job = capture(epcis, document(object_event("receiving", biz="urn:epc:id:sgln:9999999.00001.0")))
    assert job["success"] is False
    assert job["errors"][0]["path"] == "$.epcisBody.eventList[0].bizLocation.id"
    assert "unknown location" in job["errors"][0]["detail"]


def test_duplicates(epcis: Api) -> None:
    event = object_event("receiving", epcs=(EPC1,))
    headers = {**epcis.auth("wms"), "Content-Type": "application/json"}
    first = epcis.client.post("/v1/epcis/events", content=json.dumps(event), headers=headers)
    assert first.status_code == 201, first.text
    assert first.headers["Location"].startswith("/v1/epcis/events/ni:///sha-256;")
    again = epcis.client.post("/v1/epcis/events", content=json.dumps(event), headers=headers)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    job = capture(epcis, document(event), "proceed")
    assert job["errors"][0]["type"] == "epcisException:ResourceAlreadyExistsException"
    twice = capture(epcis, document(object_event("receiving", epcs=(EPC2,)), object_event("receiving", epcs=(EPC2,))))
    assert twice["errors"][0]["eventIndex"] == 1
    assert twice["capturedCount"] == 0


@pytest.mark.parametrize("path", [p for p in INVALID if not p.name.startswith("Query_")], ids=lambda p: p.name)
def test_every_invalid_document_is_refused(epcis: Api, path: Path) -> None:
    headers = {**epcis.auth("wms"), "Content-Type": "application/json"}
    r = epcis.client.post("/v1/epcis/capture", content=path.read_bytes(), headers=headers)
    if r.status_code == 400:
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "epcisException:ValidationException"
        assert r.json()["errors"][0]["path"].startswith("$")
    else:
        assert r.status_code == 202
        job = epcis.client.get(r.headers["Location"], headers=epcis.auth("wms")).json()
        assert job["success"] is False
        assert job["capturedCount"] == 0
        assert all(e["path"].startswith("$.epcisBody.") for e in job["errors"])
    assert epcis.node.store.last_seq(SITE) == 0


def test_limits_are_advertised_and_enforced(epcis: Api) -> None:
    opts = epcis.client.options("/v1/epcis/capture", headers=epcis.auth("wms"))
    assert opts.status_code == 204
    assert opts.headers["GS1-EPCIS-Capture-File-Size-Limit"] == "400000"
    assert opts.headers["GS1-EPCIS-Capture-Limit"] == "10000"
    big = document(*[object_event("receiving", epcs=(f"urn:epc:id:sgtin:0614141.107346.{i}",)) for i in range(2000)])
    r = epcis.client.post("/v1/epcis/capture", content=json.dumps(big),
                          headers={**epcis.auth("wms"), "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert r.headers["GS1-EPCIS-Capture-File-Size-Limit"] == "400000"
    assert r.headers["GS1-EPCIS-Capture-Limit"] == "10000"


def test_the_keys_kinds_hold(epcis: Api) -> None:
    r = epcis.client.post("/v1/epcis/events", content=json.dumps(object_event("receiving")),
                          headers={**epcis.auth("reader-only"), "Content-Type": "application/json"})
    assert r.status_code == 403, r.text
    assert "may send tag events only" in r.json()["detail"]
    assert epcis.node.store.last_seq(SITE) == 0


def test_keys_and_content_types(epcis: Api) -> None:
    r = epcis.client.post("/v1/epcis/capture", content=b"{}")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    json_type = {"Content-Type": "application/json"}
    r = epcis.client.post("/v1/epcis/capture", content=b"{}", headers={**epcis.auth("read"), **json_type})
    assert r.status_code == 403
    r = epcis.client.post("/v1/epcis/capture", content=b"{}", headers={**epcis.auth("elsewhere"), **json_type})
    assert r.status_code == 403
    assert r.json()["type"] == "epcisException:SecurityException"
    r = epcis.client.post("/v1/epcis/capture", content=b"<xml/>",
                          headers={**epcis.auth("wms"), "Content-Type": "application/xml"})
    assert r.status_code == 415
    assert r.headers["content-type"] == "application/problem+json"
    r = epcis.client.post("/v1/epcis/capture", content=b"{not json",
                          headers={**epcis.auth("wms"), "Content-Type": "application/json"})
    assert r.status_code == 422  # the API's body guard refuses what is not JSON, before the route
    assert r.json()["type"] == "epcisException:ValidationException"
    missing = epcis.client.get("/v1/epcis/capture/cap-nope", headers=epcis.auth("wms"))
    assert missing.status_code == 404


def test_query_parameters_and_paging(epcis: Api) -> None:
    capture(epcis, document(
        object_event("receiving", epcs=(EPC1,), time="2026-11-20T10:00:00.000+01:00"),
        object_event("storing", epcs=(EPC1,), biz="urn:epc:id:sgln:0614141.00777.12",
                     time="2026-11-20T11:00:00.000+01:00"),
        object_event("shipping", epcs=(EPC2,), biz=None, read=DOCK_IN, time="2026-11-20T12:00:00.000+01:00"),
    ))
    wait_projected(epcis.node, SITE)
    assert len(query(epcis)[0]) == 3
    assert [e["bizStep"] for e in query(epcis, EQ_bizStep="receiving|shipping")[0]] == ["receiving", "shipping"]
    assert len(query(epcis, MATCH_epc=EPC1)[0]) == 2
    assert len(query(epcis, MATCH_epc="https://id.gs1.org/01/10614141073464/21/1")[0]) == 2
    assert len(query(epcis, MATCH_epc="urn:epc:idpat:sgtin:0614141.107346.*")[0]) == 3
    assert len(query(epcis, GE_eventTime="2026-11-20T09:30:00Z", LT_eventTime="2026-11-20T11:30:00+01:00")[0]) == 1
    assert len(query(epcis, EQ_bizLocation="urn:epc:id:sgln:0614141.00777.12")[0]) == 1
    assert len(query(epcis, EQ_readPoint=DOCK_IN)[0]) == 1
    first, r = query(epcis, perPage="2")
    assert len(first) == 2
    link = r.headers["Link"]
    assert link.endswith('rel="next"')
    nxt = epcis.client.get(link[1:link.index(">")], headers=epcis.auth("read")).json()
    rest = nxt["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in first + rest] == [e["eventID"] for e in query(epcis)[0]]
    ids = [e["eventID"] for e in first]
    assert [e["eventID"] for e in query(epcis, EQ_eventID=ids[1])[0]] == [ids[1]]
    bad = epcis.client.get("/v1/epcis/events", params={"site": SITE, "EQ_colour": "red"}, headers=epcis.auth("read"))
    assert bad.status_code == 400
    assert bad.json()["type"] == "epcisException:QueryParameterException"


def test_one_items_history_with_proofs(epcis: Api) -> None:
    capture(epcis, document(object_event("receiving", epcs=(EPC1,)),
                            object_event("storing", epcs=(EPC1,), biz="urn:epc:id:sgln:0614141.00777.12")))
    wait_projected(epcis.node, SITE)
    epcis.node.ledgers.logs[SITE].checkpoint()
    r = epcis.client.get(f"/v1/epcis/epcs/{EPC1}/events", params={"site": SITE, "proof": "true"},
                         headers=epcis.auth("read"))
    assert r.status_code == 200, r.text
    events = r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(events) == 2
    assert all(e["stockade:proof"].startswith("c2sp.org/tlog-proof") for e in events)


def test_stock_events_from_other_sources_are_exported(epcis: Api) -> None:
    token, record = new_key(("ingest",), site=SITE, sources=("wms-sef",), kinds=("stock",))
    epcis.node.store.put_key(record)
    line = {"id": "sef-1", "kind": "stock", "ts": "2026-11-20T09:00:00+01:00", "site": SITE, "source": "wms-sef",
            "op": "receive", "to": "dock-in", "epcs": [EPC2]}
    r = epcis.client.post("/v1/events", content=json.dumps(line), headers={"Authorization": f"Bearer {token}"})
    assert r.json()["accepted"] == 1, r.text
    wait_projected(epcis.node, SITE)
    events, _ = query(epcis, MATCH_epc=EPC2)
    assert len(events) == 1
    exported = events[0]
    assert (exported["type"], exported["bizStep"], exported["epcList"]) == ("ObjectEvent", "receiving", [EPC2])
    assert exported["bizLocation"] == {"id": DOCK_IN}
    assert exported["eventID"].startswith("ni:///sha-256;")


def test_reconciliation_and_shrinkage_over_captured_events(epcis: Api) -> None:
    epcs = [f"urn:epc:id:sgtin:0614141.107346.{i}" for i in range(3)]
    capture(epcis, document(
        object_event("receiving", epcs=tuple(epcs), biz="urn:epc:id:sgln:0614141.00777.12",
                     time="2026-11-20T10:00:00.000+01:00"),
        object_event("cycle_counting", epcs=tuple(epcs[:2]), biz="urn:epc:id:sgln:0614141.00777.12",
                     time="2026-11-20T12:00:00.000+01:00"),
        object_event("inspecting", epcs=(epcs[2],), biz=None, disposition="stolen",
                     time="2026-11-21T12:00:00.000+01:00"),
    ))
    wait_projected(epcis.node, SITE)
    r = epcis.client.get(f"/v1/inventory/{SITE}/reconciliation", headers=epcis.auth("read"),
                         params={"until": "2026-11-21T00:00:00+01:00"})
    assert r.status_code == 200, r.text
    body = r.json()
    storage = next(z for z in body["zones"] if z["key"] == "storage")
    assert (storage["expected"], storage["seen"], storage["difference"]) == (3, 2, -1)
    assert storage["difference_value"] == -700.0
    assert body["difference_counts"] == {"missing:unexplained": 1}
    assert body["accuracy"]["storage"] == 0.0
    shrink = epcis.client.get(f"/v1/inventory/{SITE}/shrinkage", headers=epcis.auth("read")).json()
    assert {s["key"]: s["items"] for s in shrink["by_reason"]} == {"stolen": 1}
    assert shrink["value"] == 700.0
    assert epcis.client.get(f"/v1/inventory/{SITE}/shrinkage").status_code == 401
    assert epcis.client.get("/v1/inventory/nowhere/shrinkage", headers=epcis.auth("read")).status_code == 404


@pytest.mark.parametrize("body", [b"[]", b'"x"', b'{"epcisBody": []}', b'{"epcisBody": {"queryResults": []}}',
                                  b'{"epcisBody": {"eventList": "abc"}}', b"null"])
def test_hostile_shapes_are_400(epcis: Api, body: bytes) -> None:
    r = epcis.client.post("/v1/epcis/capture", content=body,
                          headers={**epcis.auth("wms"), "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    r = epcis.client.post("/v1/epcis/events", content=body,
                          headers={**epcis.auth("wms"), "Content-Type": "application/json"})
    assert r.status_code == 400, r.text


def test_an_event_time_ahead_of_the_clock_limit_is_refused_with_the_limit(epcis: Api) -> None:
    epcis.node.settings = epcis.node.settings.model_copy(update={"max_future_s": 30})
    ahead = (datetime.now(UTC) + timedelta(minutes=2)).isoformat(timespec="milliseconds")
    job = capture(epcis, document(object_event("receiving", time=ahead)))
    assert job["success"] is False
    assert job["errors"][0]["path"] == "$.epcisBody.eventList[0].eventTime"
    assert "more than 30 seconds ahead" in job["errors"][0]["detail"]


def test_a_capture_job_survives_a_restart(tmp_path: Path) -> None:
    node, keys = open_node(tmp_path / "data")
    with TestClient(create_app(node)) as client:
        api = Api(client, node, keys)
        r = client.post("/v1/epcis/capture", content=json.dumps(document(object_event("receiving", epcs=(EPC1,)))),
                        headers={**api.auth("wms"), "Content-Type": "application/ld+json"})
        assert r.status_code == 202, r.text
        before = client.get(r.headers["Location"], headers=api.auth("wms")).json()
    node = Node.open(Settings(data_dir=tmp_path / "data", max_body_bytes=400_000))
    with TestClient(create_app(node)) as client:
        after = client.get(r.headers["Location"], headers=api.auth("wms"))
        assert after.status_code == 200, after.text
        assert after.json() == before
        # a job belongs to its site: a key of another site is refused
        assert client.get(r.headers["Location"], headers=api.auth("elsewhere")).status_code == 403
