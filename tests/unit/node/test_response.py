"""Incident response in a running node: a forced cage door runs the blind-and-grab playbook end to end."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stockade.api.app import create_app
from stockade.cli.app import app
from stockade.incidents.model import IncidentState
from stockade.ledger.vkey import parse_vkey
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.response.evidence import EvidenceError, verify_bundle
from stockade.response.portset import Ports, Recording
from stockade.store import IncidentQuery
from tests.node_fixtures import DEMO_SITE, door_line, now_iso

B = "blind-and-grab"


@dataclass
class Running:
    client: TestClient
    node: Node
    ports: Recording
    tokens: dict[str, str]

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def incident(self, until: Callable[[IncidentState], bool], timeout: float = 15.0) -> IncidentState:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page = self.node.store.list_incidents(IncidentQuery("dc-demo", limit=100))
            for state in page:
                if until(state):
                    return state
            time.sleep(0.02)
        raise AssertionError(f"no incident reached the expected state within {timeout} s: {page}")


def _status(state: IncidentState, step: str) -> str | None:
    found = state.step(f"{B}:{step}")
    return found.status if found else None


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    shutil.copy(DEMO_SITE, data / "sites" / "dc-demo.yaml")
    recording = Recording()
    node = Node.open(Settings(data_dir=data), ports=Ports.of(recording))
    tokens = {}
    for name, scopes, site, sources, roles in (("ingest", ("ingest",), "dc-demo", ("ctl-1",), ()),
                                               ("lead", ("analyst",), None, (), ("security-lead",)),
                                               ("analyst", ("analyst",), None, (), ())):
        token, record = new_key(scopes, site=site, sources=sources, roles=roles)
        node.store.put_key(record)
        tokens[name] = token
    with TestClient(create_app(node)) as client:
        yield Running(client, node, recording, tokens)


def test_a_forced_cage_door_is_locked_after_approval_with_evidence_that_verifies(running: Running) -> None:
    r = running.client.post("/v1/events", headers=running.auth("ingest"), content=door_line("f1", state="forced"))
    assert r.json()["accepted"] == 1
    state = running.incident(lambda s: _status(s, "evidence") == "sent" and _status(s, "page") == "sent"
                             and _status(s, "approve-lock") == "awaiting_approval")
    assert _status(state, "hold") == "sent"
    # an analyst without the security-lead role may not; the lead approves the lock through the API
    denied = running.client.post(f"/v1/incidents/dc-demo/{state.id}/steps/{B}:approve-lock/approve",
                                 headers=running.auth("analyst"), json={})
    assert denied.status_code == 403
    assert "needs a key with the role security-lead" in denied.json()["detail"]["reason"]
    ok = running.client.post(f"/v1/incidents/dc-demo/{state.id}/steps/{B}:approve-lock/approve",
                             headers=running.auth("lead"), json={"reason": "dock is empty"})
    assert ok.status_code == 200, ok.text
    state = running.incident(lambda s: _status(s, "lock") == "sent")
    doors = sorted({q.payload.door for q in running.ports.requests if q.port == "door_control"})  # type: ignore[union-attr]
    assert "D-HV" in doors
    levels = running.client.get("/v1/access/threat-levels/dc-demo", headers=running.auth("lead")).json()
    assert set(levels["zones"].values()) == {"lockdown"}
    # every door reports locked: the step is confirmed
    body = b"\n".join(msgspec.json.encode({"id": f"lk-{d}", "kind": "door", "ts": now_iso(), "site": "dc-demo",
                                           "source": "ctl-1", "door": d, "state": "locked"}) for d in doors)
    posted = running.client.post("/v1/events", headers=running.auth("ingest"), content=body)
    assert posted.json()["accepted"] == len(doors)
    running.incident(lambda s: _status(s, "lock") == "confirmed")
    # the evidence bundle verifies offline, and is refused after one byte is changed
    evidence = state.step(f"{B}:evidence")
    assert evidence is not None
    path = Path((evidence.detail or "").split(" ")[1])
    vkeys = running.node.ledgers.keys.vkeys(running.node.sites["dc-demo"].ledger_origin)
    verified = verify_bundle(path.read_bytes(), [parse_vkey(v) for v in vkeys])
    assert verified.events >= 1
    assert verified.incident == state.id
    cli = CliRunner().invoke(app, ["evidence", "verify", str(path), *[a for v in vkeys for a in ("--vkey", v)]])
    assert cli.exit_code == 0, cli.output
    assert cli.stdout.startswith(f"OK {state.id} at dc-demo")
    data = path.read_bytes()
    at = data.index(b'\\"door\\":\\"D-HV\\"') + len(b'\\"door\\":\\"D-')
    tampered = data[:at] + b"X" + data[at + 1:]
    with pytest.raises(EvidenceError) as e:
        verify_bundle(tampered, [parse_vkey(v) for v in vkeys])
    assert "proof" in e.value.where
    assert "not in the checkpointed tree" in e.value.reason
    path.write_bytes(tampered)
    refused = CliRunner().invoke(app, ["evidence", "verify", str(path), *[a for v in vkeys for a in ("--vkey", v)]])
    assert refused.exit_code == 1
    assert "REFUSED" in refused.stderr
