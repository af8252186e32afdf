"""The cluster's roles in one process: an API node publishes to JetStream and answers after its
acknowledgement (503 when NATS is gone); a worker takes the leases, commits, detects and publishes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.connectors.nats.config import ClusterSettings
from stockade.events.ids import is_output_id
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.verify import verify_log
from stockade.node.keys import new_key
from stockade.node.roles.api import ApiNode
from stockade.node.roles.worker import Worker
from stockade.node.settings import Settings
from stockade.store import EventQuery
from stockade.store.postgres import PostgresStore
from stockade.store.postgres.tiles import PostgresTiles
from tests.integration.cluster_fixtures import NatsServer, nats_server, until
from tests.integration.pg import throwaway_database
from tests.node_fixtures import door_line, make_node

pytestmark = [pytest.mark.nats, pytest.mark.postgres]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Settings, NatsServer, str]]:
    with throwaway_database("stockade_cluster") as dsn, nats_server(tmp_path / "nats") as nats:
        make_node(tmp_path / "data", postgres_dsn=dsn).stop()  # the demo site, the keys, the schema
        settings = Settings(data_dir=tmp_path / "data", postgres_dsn=dsn, engine="thread",
                            ledger_state_dir=tmp_path / "state",
                            cluster=ClusterSettings(nats_url=nats.url, partitions=4, lease_s=2.0))
        token, record = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
        store = PostgresStore.open(dsn)
        store.put_key(record)
        store.close()
        yield settings, nats, token




def test_the_api_answers_after_the_publish_ack_and_503_without_nats(cluster: tuple[Settings, NatsServer, str]
                                                                     ) -> None:
    settings, nats, token = cluster
    node = ApiNode.open_role(settings)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    with TestClient(create_app(node)) as client:
        until("the API node connects to NATS", lambda: node.link.connected)
        body = b"\n".join([door_line("a1"), door_line("a2"), door_line("a1"), b'{"id": "broken"'])
        answer = client.post("/v1/events", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        statuses = [(r["status"], "seq" in r) for r in answer.json()["results"]]
        assert statuses == [("accepted", False), ("accepted", False), ("duplicate", False), ("rejected", False)]
        again = client.post("/v1/events", content=door_line("a2"), headers=headers)  # a retry: JetStream dedup
        assert again.json()["results"][0]["status"] == "duplicate"
        refused = client.post("/v1/events", content=door_line("x", source="ctl-9"), headers=headers)
        assert refused.status_code == 403, "the same authority checks as the embedded node"
        nats.stop()
        down = client.post("/v1/events", content=door_line("a3"), headers=headers)
        assert down.status_code == 503
        assert down.headers["Retry-After"]
        assert "nothing was accepted" in down.json()["detail"]
        nats.start()
        until("the API node reconnects", lambda: node.link.connected)
        back = client.post("/v1/events", content=door_line("a3"), headers=headers)
        assert back.status_code == 200
        assert back.json()["results"][0]["status"] == "accepted"
    store = PostgresStore.open(settings.postgres_dsn or "")
    assert store.last_seq("dc-demo") == 0, "the API node writes no log: the worker owning the site does"
    store.close()


def test_a_worker_commits_what_the_api_published_and_the_log_verifies(cluster: tuple[Settings, NatsServer, str]
                                                                       ) -> None:
    settings, _, token = cluster
    api = ApiNode.open_role(settings)
    worker = Worker(settings)
    stop = threading.Event()
    runner = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    store = PostgresStore.open(settings.postgres_dsn or "")

    def inputs() -> list[str]:
        return [r.event.id for r in store.read("dc-demo") if not is_output_id(r.event.id)]

    try:
        with TestClient(create_app(api)) as client:
            until("the API node connects to NATS", lambda: api.link.connected)
            lines = [door_line("forced", state="forced"), *(door_line(f"e{i}") for i in range(300))]
            assert client.post("/v1/events", content=b"\n".join(lines), headers=headers).json()["accepted"] == 301
            runner.start()
            # counted by input: the forced door's alert, incident and actions are committed between
            # the inputs' chunks, so a count of every row could reach 302 with inputs still to come
            until("the worker commits every acknowledged event", lambda: len(inputs()) >= 301)
            assert inputs() == ["forced", *(f"e{i}" for i in range(300))], "in the order the API published"
            until("STK-DOR-001 raised", lambda: any(getattr(r.event, "detector", "") == "STK-DOR-001"
                                                    for r in store.query(EventQuery("dc-demo", kinds=("alert",)))))
    finally:  # a failed check must not leave the worker running into the tests after this one
        stop.set()
        if runner.ident is not None:
            runner.join(30)
    assert not runner.is_alive()
    ids = [r.event.id for r in store.read("dc-demo")]
    tiles = PostgresTiles.open(settings.postgres_dsn or "")
    keys = load_or_create_log_keys(settings.data_dir / "keys")
    origin = api.sites["dc-demo"].ledger_origin
    report = verify_log(tiles.site("dc-demo"), keys.verifiers(origin), origin)
    # the last signed checkpoint holds every input; an action the stopping response executor wrote after it
    # is appended to the log from the store by the next owner (as after an embedded node's stop)
    assert 302 <= report.size <= store.last_seq("dc-demo")
    assert len(set(ids)) == len(ids)
    tiles.close()
    store.close()


def test_an_api_node_with_no_facts_from_an_owner_denies_and_says_why(cluster: tuple[Settings, NatsServer, str]
                                                                      ) -> None:
    settings, _, _ = cluster
    token, record = new_key(("pep",))
    store = PostgresStore.open(settings.postgres_dsn or "")
    store.put_key(record)
    store.close()
    node = ApiNode.open_role(settings)
    with TestClient(create_app(node)) as client:
        until("the API node connects to NATS", lambda: node.link.connected)
        answer = client.post("/v1/access/decide", headers={"Authorization": f"Bearer {token}"}, json={
            "site": "dc-demo", "door": "D-HV", "credential": "badge:8001", "factors": [{"type": "badge"}]})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["result"], body["policies"]) == ("deny", ["stockade:stale-facts"])
        assert "no facts of site 'dc-demo' have come from the worker owning it" in body["reasons"][0]
