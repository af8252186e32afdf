"""Access decisions on a cluster API node: from the facts the owning worker publishes, the same answers
as the embedded node's decision point after the same events, logged in the site's log through the
worker, and a logged deny naming the staleness when the owner has gone quiet."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest
from fastapi.testclient import TestClient

from stockade.access.pdp import STALE_FACTS
from stockade.api.app import create_app
from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.mapping import lease_key, partition_of
from stockade.events import Decision
from stockade.node.keys import new_key
from stockade.node.roles.api import ApiNode
from stockade.node.roles.worker import Worker
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.store import Store
from stockade.store.postgres import PostgresStore
from tests.integration.cluster_fixtures import nats_server, until
from tests.integration.pg import throwaway_database
from tests.integration.test_cluster_failover import Cluster as FailoverCluster
from tests.node_fixtures import make_node

pytestmark = [pytest.mark.nats, pytest.mark.postgres]
SITE = "dc-demo"
MAX_AGE_S = 2.0
GUARD_S = 60.0  # against a hang on a loaded machine, not a speed check
KEYS = {"ingest": (("ingest",), SITE, ("ctl-1", "iam"), ("access", "admin")), "pep": (("pep",), None, (), ()),
        "analyst": (("analyst",), None, (), ())}



def put_keys(store: Store, tokens: dict[str, str]) -> dict[str, str]:
    for name, (scopes, site, sources, kinds) in KEYS.items():
        token, record = new_key(scopes, site=site, sources=sources, kinds=kinds)
        store.put_key(record)
        tokens[name] = token
    return tokens


class Cluster:
    """A PostgreSQL database, a NATS server of the test's own, an API node and a worker (threads)."""

    def __init__(self, settings: Settings, keys: dict[str, str]) -> None:
        self.settings = settings
        self.keys = keys
        self.api = ApiNode.open_role(settings)
        self.client = TestClient(create_app(self.api))
        self.store = PostgresStore.open(settings.postgres_dsn or "")
        self._worker: tuple[Worker, threading.Event, threading.Thread] | None = None

    def start_worker(self) -> Worker:
        worker, stop = Worker(self.settings), threading.Event()
        runner = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        runner.start()
        self._worker = (worker, stop, runner)
        return worker

    def stop_worker(self) -> None:
        if self._worker is not None:
            _, stop, runner = self._worker
            stop.set()
            runner.join(GUARD_S)
            assert not runner.is_alive()
            self._worker = None

    def caught_up(self, ids: list[str]) -> bool:
        """The log holds these events, and the API node holds facts that include the whole log, with the
        engine's risk for all of it."""
        if any(self.store.get(SITE, i) is None for i in ids):
            return False
        held = self.api.facts.held.get(SITE)
        last = self.store.last_seq(SITE)
        return (held is not None and held.seq == last and held.applied == last
                and self.api.facts.untrusted(SITE) is None)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with throwaway_database("stockade_access") as dsn, nats_server(tmp_path / "nats") as nats:
        make_node(tmp_path / "data", postgres_dsn=dsn).stop()  # the demo site, the keys, the schema
        settings = Settings(data_dir=tmp_path / "data", postgres_dsn=dsn, engine="thread",
                            ledger_state_dir=tmp_path / "state",
                            cluster=ClusterSettings(nats_url=nats.url, partitions=4, lease_s=2.0,
                                                    facts_max_age_s=MAX_AGE_S))
        store = PostgresStore.open(dsn)
        keys = put_keys(store, {})
        store.close()
        c = Cluster(settings, keys)
        with c.client:
            until("the API node connects to NATS", lambda: c.api.link.connected)
            try:
                yield c
            finally:
                c.stop_worker()
                c.store.close()


def _line(event_id: str, kind: str, source: str, ts: datetime, **fields: object) -> bytes:
    return msgspec.json.encode({"id": event_id, "kind": kind, "ts": ts.isoformat(), "site": SITE,
                                "source": source, **fields})


def history(now: datetime) -> bytes:
    """A passback, a temporary grant, a revocation (the lockdown comes through the threat-level API)."""
    t = now - timedelta(seconds=60)
    return b"\n".join([
        _line("in-1001", "access", "ctl-1", t, door="D-FLOOR", credential="badge:1001", subject="emp-1001",
              result="granted", factors=["badge"], direction="in"),
        _line("grant-1003", "admin", "iam", t, actor="iam", action="grant_access", target="emp-1003",
              zone="hv-cage", start=(now - timedelta(hours=1)).isoformat(), end=(now + timedelta(hours=1)).isoformat()),
        _line("revoke-1002", "admin", "iam", t, actor="iam", action="revoke_access", target="emp-1002",
              zone="storage"),
    ])


def guard_on_shift() -> str:
    """A guard whose shift covers now (guard-day 06:00-18:00 in the site's time zone, else guard-night)."""
    return "badge:8001" if 6 <= datetime.now(ZoneInfo("Europe/Paris")).hour < 18 else "badge:8003"


GUARD = guard_on_shift()
ASKS = [("badge:1001", "D-FLOOR"), ("badge:1003", "D-HV"), ("badge:1002", "D-FLOOR"), ("badge:7001", "D-OFFICE"),
        (GUARD, "D-FLOOR")]


def feed(client: TestClient, keys: dict[str, str], now: datetime) -> list[str]:
    """The history and a lockdown of the office; the ids of the events written."""
    r = client.post("/v1/events", content=history(now), headers={
        "Authorization": f"Bearer {keys['ingest']}", "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 3, r.text
    r = client.put(f"/v1/access/threat-levels/{SITE}", headers={"Authorization": f"Bearer {keys['analyst']}"},
                   json={"level": "lockdown", "zone": "office"})
    assert r.status_code == 200, r.text
    return ["in-1001", "grant-1003", "revoke-1002", str(r.json()["event"])]


def decide(client: TestClient, keys: dict[str, str], credential: str, door: str, at: datetime
           ) -> dict[str, object]:
    r = client.post("/v1/access/decide", headers={"Authorization": f"Bearer {keys['pep']}"}, json={
        "site": SITE, "door": door, "credential": credential, "factors": [{"type": "badge"}],
        "time": at.isoformat()})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def comparable(answer: dict[str, object], store: Store) -> tuple[object, ...]:
    """What a decision said, and the facts the policies saw (logged with it in the site's log)."""
    row = store.get(SITE, str(answer["decision_id"]))
    assert row is not None, f"decision {answer['decision_id']} not logged"
    assert isinstance(row.event, Decision)
    facts = (row.event.attrs or {}).get("facts")
    return (*(answer.get(k) for k in ("result", "policies", "reasons", "step_up", "policy_hash", "zone")), facts)


def embedded(tmp_path: Path, now: datetime) -> list[tuple[object, ...]]:
    """The embedded node's answers to the same asks after the same history."""
    node: Node = make_node(tmp_path / "embedded", engine="thread")
    keys = put_keys(node.store, {})
    with TestClient(create_app(node)) as client:
        assert node.recovery.wait(30)
        feed(client, keys, now)
        assert node.wait_for_engine(SITE, GUARD_S)
        return [comparable(decide(client, keys, c, d, now), node.store) for c, d in ASKS]


def test_an_api_node_decides_as_the_embedded_node_and_logs_through_the_worker(cluster: Cluster, tmp_path: Path
                                                                              ) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    first = decide(cluster.client, cluster.keys, GUARD, "D-FLOOR", now)
    assert (first["result"], first["policies"]) == ("deny", [STALE_FACTS]), "no worker yet: no facts, a deny"
    assert "no facts of site 'dc-demo'" in str(first["reasons"])
    cluster.start_worker()
    written = feed(cluster.client, cluster.keys, now)
    until("the API node holds facts of the whole log", lambda: cluster.caught_up(written))
    answers = [decide(cluster.client, cluster.keys, c, d, now) for c, d in ASKS]
    for answer in [first, *answers]:  # each decision is in the site's log, written by the worker
        until(f"decision {answer['decision_id']} logged",
              lambda a=answer: cluster.store.get(SITE, str(a["decision_id"])) is not None)  # type: ignore[misc]
    seen = [comparable(a, cluster.store) for a in answers]
    assert seen == embedded(tmp_path, now)
    passback, grant, revoked, lockdown, guard = (dict(zip(("result", "policies", "facts"), (s[0], s[1], s[6]),
                                                          strict=True)) for s in seen)
    assert "anti-passback" in passback["policies"]  # type: ignore[operator]
    assert grant["facts"]["grant"] is True  # type: ignore[index]
    assert revoked["facts"]["revoked"] is True
    assert revoked["result"] == "deny"
    assert "threat-lockdown" in lockdown["policies"]
    assert lockdown["facts"]["threat"] == "lockdown"
    assert guard["result"] == "allow"


def test_facts_older_than_the_bound_are_a_logged_deny_and_decisions_resume_with_a_new_owner(cluster: Cluster
                                                                                             ) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    cluster.start_worker()
    written = feed(cluster.client, cluster.keys, now)
    until("the API node holds facts of the whole log", lambda: cluster.caught_up(written))
    assert decide(cluster.client, cluster.keys, GUARD, "D-FLOOR", now)["result"] == "allow"
    cluster.stop_worker()  # its beats stop; its facts stay in the bucket
    until("the facts go stale", lambda: cluster.api.facts.untrusted(SITE) is not None)
    stale = decide(cluster.client, cluster.keys, GUARD, "D-FLOOR", now)
    assert (stale["result"], stale["policies"]) == ("deny", [STALE_FACTS])
    assert "stale facts" in str(stale["reasons"])
    assert "facts_max_age_s = 2 s" in str(stale["reasons"])
    cluster.start_worker()  # the new owner rebuilds the facts from the log and publishes them
    until("decisions resume", lambda: cluster.caught_up(written))
    again = decide(cluster.client, cluster.keys, "badge:1001", "D-FLOOR", now)
    assert "anti-passback" in again["policies"]  # type: ignore[operator]
    assert decide(cluster.client, cluster.keys, GUARD, "D-FLOOR", now)["result"] == "allow"
    until("the stale deny logged by the new owner", lambda: cluster.store.get(SITE, str(stale["decision_id"]))
          is not None)


class _Processes(FailoverCluster):
    def _cluster_env(self, worker: str | None = None) -> dict[str, str]:
        env = super()._cluster_env(worker)
        cluster = json.loads(env["STOCKADE_CLUSTER"])
        env["STOCKADE_CLUSTER"] = json.dumps({**cluster, "facts_max_age_s": MAX_AGE_S})
        return env


@pytest.mark.slow
def test_a_killed_owner_means_stale_denies_until_the_new_owner_publishes_facts_rebuilt_from_the_log(
        tmp_path: Path) -> None:
    with throwaway_database("stockade_access_kill") as dsn, nats_server(tmp_path / "nats") as server:
        data = tmp_path / "cluster"
        make_node(data, postgres_dsn=dsn).stop()
        procs = _Processes(data, dsn, server.url, tmp_path / "state")
        store = PostgresStore.open(dsn)
        try:
            keys = put_keys(store, {})
            for name in ("w1", "w2"):
                procs.start_worker(name)
            api = procs.start_api()
            now = datetime.now(UTC).replace(microsecond=0)
            auth = {"Authorization": f"Bearer {keys['pep']}"}

            def ask() -> dict[str, object]:
                r = httpx.post(api + "/v1/access/decide", headers=auth, timeout=30, json={
                    "site": SITE, "door": "D-FLOOR", "credential": "badge:1001", "factors": [{"type": "badge"}],
                    "time": now.isoformat()})
                assert r.status_code == 200, r.text
                body: dict[str, object] = r.json()
                return body

            key = lease_key(partition_of(SITE, 4))
            until("a worker owns the site", lambda: key in procs.leases())
            r = httpx.post(api + "/v1/events", content=history(now), timeout=30, headers={
                "Authorization": f"Bearer {keys['ingest']}", "Content-Type": "application/x-ndjson"})
            assert r.json()["accepted"] == 3, r.text
            until("the passback is seen on the API node", lambda: "anti-passback" in ask()["policies"])  # type: ignore[operator]
            owner = procs.leases()[key]
            procs.workers[owner].send_signal(signal.SIGKILL)
            procs.workers[owner].wait()
            stale: list[dict[str, object]] = []
            until("the owner's facts go stale", lambda: STALE_FACTS in (stale.append(ask()) or stale[-1])["policies"])  # type: ignore[operator,func-returns-value]
            assert f"from worker {owner!r}" in str(stale[-1]["reasons"])
            until("another worker takes the site", lambda: procs.leases().get(key) not in (None, owner))
            until("decisions resume", lambda: STALE_FACTS not in ask()["policies"])  # type: ignore[operator]
            assert "anti-passback" in ask()["policies"], "the new owner's facts are rebuilt from the log"  # type: ignore[operator]
            until("the stale deny is logged by the new owner",
                  lambda: store.get(SITE, str(stale[-1]["decision_id"])) is not None)
        finally:
            procs.stop_all()
            store.close()
