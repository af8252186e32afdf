"""Two Stockade instances: B runs a tlog-witness that cosigns A's site log.

B's witness app is served in-process through Starlette's TestClient (an httpx
client), so A talks to it exactly as it would over the network.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stockade.api.witness import create_witness_app
from stockade.ledger.checkpoint import open_checkpoint
from stockade.ledger.keys import load_or_create_log_keys, load_or_create_witness_key
from stockade.ledger.log import SiteLog, ledger_dir
from stockade.ledger.proofs import verify_proof, write_proof
from stockade.ledger.source import DirSource
from stockade.ledger.verify import verify_log
from stockade.ledger.witness import TrustedLog, Witness
from stockade.ledger.witnessing import WitnessPeer, cosign_checkpoint, save_peers
from stockade.node.ingest import Principal
from stockade.node.ledgers import WitnessCosigning
from tests.node_fixtures import door_line, make_node

ORIGIN = "stockade/dc-a"
W_NAME = "witness.b.example/w1"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[SiteLog, Witness, TestClient]:
    a_keys = load_or_create_log_keys(tmp_path / "a" / "keys")
    log = SiteLog.open(ledger_dir(tmp_path / "a", "dc-a"), ORIGIN, a_keys.signer(ORIGIN))
    witness = Witness(W_NAME, load_or_create_witness_key(tmp_path / "b" / "keys"),
                      [TrustedLog(ORIGIN, tuple(a_keys.verifiers(ORIGIN)[:1]))], tmp_path / "b" / "witness")
    return log, witness, TestClient(create_witness_app(witness), base_url="http://witness-b")


def _peer(witness: Witness) -> WitnessPeer:
    return WitnessPeer("http://witness-b", witness.cosigner.verifier())


def _body(old: int, proof: list[bytes], note: bytes) -> bytes:
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n").encode() + note


def test_b_witnesses_a(setup: tuple[SiteLog, Witness, TestClient], tmp_path: Path) -> None:
    log, witness, client = setup
    for batch in range(3):
        log.append([b'{"id":"a%d-%d"}' % (batch, i) for i in range(300)])
        note, results = cosign_checkpoint(log, [_peer(witness)], client)
        assert [r.ok for r in results] == [True], results
        signed = open_checkpoint(note, [*log.signer.verifiers, witness.cosigner.verifier()], ORIGIN)
        assert W_NAME in [s.name for s in signed.note.signatures]
        assert witness.latest(ORIGIN) is not None
        assert witness.latest(ORIGIN).size == log.size  # type: ignore[union-attr]
    # the cosigned checkpoint is on disk, verifies with the witness key, and goes into proofs
    report = verify_log(DirSource(log.directory), [*log.signer.verifiers, witness.cosigner.verifier()])
    assert W_NAME in report.cosigners
    proof = write_proof(log, 5, tmp_path / "p.tlog-proof")
    trusted = [*log.signer.verifiers, witness.cosigner.verifier()]
    assert W_NAME in verify_proof(proof.encode(), trusted).signers


def test_status_codes(setup: tuple[SiteLog, Witness, TestClient], tmp_path: Path) -> None:
    log, witness, client = setup
    log.append([b"x%d" % i for i in range(10)])
    note10 = log.checkpoint()
    post = lambda body: client.post("/add-checkpoint", content=body)  # noqa: E731
    assert post(b"garbage").status_code == 400
    assert post(_body(11, [], note10)).status_code == 400          # old > size
    assert post(_body(0, [], note10)).status_code == 200
    r = post(_body(0, [], note10))                                  # stale old size
    assert (r.status_code, r.text, r.headers["content-type"]) == (409, "10\n", "text/x.tlog.size")
    log.append([b"y%d" % i for i in range(10)])
    note20 = log.checkpoint()
    bad = [bytes(32)] * len(log.consistency_proof(10, 20))
    assert post(_body(10, bad, note20)).status_code == 422
    assert post(_body(10, log.consistency_proof(10, 20), note20)).status_code == 200
    # unknown origin → 404; known origin without a trusted signature → 403
    other_keys = load_or_create_log_keys(tmp_path / "c-keys")
    other = SiteLog.open(tmp_path / "c", "stockade/dc-c", other_keys.signer("stockade/dc-c"))
    other.append([b"z"])
    assert post(_body(0, [], other.checkpoint())).status_code == 404
    forger = SiteLog.open(tmp_path / "f", ORIGIN, other_keys.signer(ORIGIN))
    forger.append([b"x%d" % i for i in range(10)] + [b"y%d" % i for i in range(10)] + [b"evil"])
    assert post(_body(20, forger.consistency_proof(20), forger.checkpoint())).status_code == 403


def test_fork_is_refused(setup: tuple[SiteLog, Witness, TestClient], tmp_path: Path) -> None:
    log, witness, client = setup
    log.append([b"a", b"b"])
    assert client.post("/add-checkpoint", content=_body(0, [], log.checkpoint())).status_code == 200
    # the log's own key signs another tree of the same size: the witness must refuse it
    fork = SiteLog.open(tmp_path / "fork", ORIGIN, log.signer)
    fork.append([b"a", b"EVIL"])
    assert client.post("/add-checkpoint", content=_body(2, [], fork.checkpoint())).status_code == 409
    fork.append([b"c"])
    r = client.post("/add-checkpoint", content=_body(2, fork.consistency_proof(2), fork.checkpoint()))
    assert r.status_code == 422


def test_a_running_node_gets_its_checkpoints_cosigned(tmp_path: Path) -> None:
    """Stockade A (a whole node) and B (a witness): A's periodic job sends each checkpoint to B,
    and A serves the cosigned checkpoint."""
    node = make_node(tmp_path / "a")
    origin = "stockade/dc-demo"
    a_verifiers = node.ledgers.keys.verifiers(origin)
    witness = Witness(W_NAME, load_or_create_witness_key(tmp_path / "b" / "keys"),
                      [TrustedLog(origin, tuple(a_verifiers[:1]))], tmp_path / "b" / "witness")
    save_peers(tmp_path / "a" / "witnesses.json", [_peer(witness)])
    cosigning = WitnessCosigning(node.ledgers, tmp_path / "a" / "witnesses.json",
                                 TestClient(create_witness_app(witness), base_url="http://witness-b"))
    for batch in range(2):
        node.ingestor.ingest_lines([door_line(f"w{batch}-{i}") for i in range(100)], Principal.operator())
        node.ledgers.checkpoint_all()
        cosigning()
    note = node.ledgers.logs["dc-demo"].latest_checkpoint()
    node.stop()
    assert note is not None
    signed = open_checkpoint(note, [*a_verifiers, witness.cosigner.verifier()], origin)
    assert W_NAME in [s.name for s in signed.note.signatures]
    assert witness.latest(origin) is not None
    assert witness.latest(origin).size == 200  # type: ignore[union-attr]
