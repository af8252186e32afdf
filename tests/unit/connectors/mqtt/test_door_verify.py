"""The reference verifier against its published vectors: forged, replayed and expired commands refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stockade.connectors.mqtt.commands import CommandSigner
from stockade.connectors.mqtt.door_verify import verify_command
from stockade.response.ports import DoorCommand

VECTORS = json.loads((Path(__file__).parent / "door_vectors.json").read_text())
KEYS = [bytes.fromhex(k) for k in VECTORS["keys"]]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vector(case: dict[str, object]) -> None:
    verdict = verify_command(str(case["payload"]).encode(), keys=KEYS, site=VECTORS["site"], door=str(case["door"]),
                             last_counter=int(str(case["last_counter"])), now_s=float(str(case["now_s"])))
    assert verdict.ok is case["ok"]
    assert verdict.reason.startswith(str(case["reason"])), verdict.reason


def test_vectors_cover_forged_replayed_and_expired() -> None:
    reasons = {c["reason"] for c in VECTORS["cases"] if not c["ok"]}
    assert {"bad signature", "replayed", "expired", "unknown key"} <= reasons


def test_the_vector_key_is_the_documented_seed() -> None:
    signer = CommandSigner(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    assert signer.public_raw == KEYS[0]


def test_counter_never_goes_down_and_a_fresh_command_verifies() -> None:
    signer = CommandSigner(Ed25519PrivateKey.generate())
    a = signer.sign(DoorCommand("s", "D", "LOCK", "inc"), "i1", now_s=100.0, ttl_s=30)
    b = signer.sign(DoorCommand("s", "D", "UNLOCK", "inc"), "i2", now_s=50.0, ttl_s=30)  # the clock went back
    assert b["counter"] > a["counter"]
    payload = json.dumps(b).encode()
    first = verify_command(payload, keys=[signer.public_raw], site="s", door="D", last_counter=a["counter"], now_s=60)
    assert first.ok, first.reason
    again = verify_command(payload, keys=[signer.public_raw], site="s", door="D", last_counter=first.counter,
                           now_s=60)
    assert not again.ok
    assert again.reason.startswith("replayed")


def test_not_after_of_the_intent_wins_over_the_ttl() -> None:
    signer = CommandSigner(Ed25519PrivateKey.generate())
    body = signer.sign(DoorCommand("s", "D", "LOCK", "inc", not_after_us=5_000_000), "i", now_s=1.0, ttl_s=30)
    assert body["not_after"] == 5


@pytest.mark.parametrize("payload", [b"\xff\xfe", b"[]", b'{"v": 1}', b"null", b'{"v":2}'])
def test_malformed_is_refused_with_a_reason(payload: bytes) -> None:
    verdict = verify_command(payload, keys=KEYS, site="dc-demo", door="D", last_counter=0, now_s=0)
    assert not verdict.ok
    assert verdict.reason
