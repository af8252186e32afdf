"""Ed25519 checks by libsodium agree with OpenSSL on every honest signature and every altered one,
and refuse what OpenSSL lets through: the "universal" signature of a small-order key."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from stockade.ledger.devices import DeviceKeys, check_event_signature
from stockade.ledger.ed25519 import usable_public_key, verify
from stockade.ledger.errors import NoteError
from stockade.ledger.note import ALG_COSIGNATURE_V1, ALG_ED25519
from stockade.ledger.vkey import parse_vkey

NEUTRAL = bytes([1]) + bytes(31)  # the curve's neutral element, order 1
SMALL_ORDER = [NEUTRAL, bytes(32), bytes.fromhex("ec" + "ff" * 30 + "7f")]  # orders 1, 4 and 2
L = 2**252 + 27742317777372353535851937790883648493  # the prime order of the base point


def _openssl(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except InvalidSignature:
        return False
    return True


@settings(max_examples=60, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=300),
       flip=st.integers(min_value=0, max_value=(64 + 300) * 8 - 1))
def test_libsodium_and_openssl_agree_on_honest_and_altered_signatures(seed: bytes, message: bytes, flip: int) -> None:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public, signature = key.public_key().public_bytes_raw(), key.sign(message)
    assert usable_public_key(public) is None
    assert verify(public, signature, message)
    assert _openssl(public, signature, message)
    altered = bytearray(signature + message)
    if flip < len(altered) * 8:
        altered[flip // 8] ^= 1 << (flip % 8)
        sig, msg = bytes(altered[:64]), bytes(altered[64:])
        assert not verify(public, sig, msg)
        assert not _openssl(public, sig, msg)


def test_the_small_order_forgery_openssl_accepts_is_refused() -> None:
    universal = NEUTRAL + bytes(32)  # R = the neutral element, S = 0: "signs" every message for that key
    for message in (b"", b"door D-HV: unlocked", b"any event at all"):
        assert _openssl(NEUTRAL, universal, message)  # why device signatures are not checked by OpenSSL
        assert not verify(NEUTRAL, universal, message)


@pytest.mark.parametrize("public", SMALL_ORDER, ids=["order-1", "order-4", "order-2"])
def test_a_small_order_key_is_no_usable_key(public: bytes) -> None:
    assert "small order" in (usable_public_key(public) or "")


def test_a_non_canonical_s_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    public, signature = key.public_key().public_bytes_raw(), key.sign(b"m")
    s_plus_l = (int.from_bytes(signature[32:], "little") + L).to_bytes(32, "little")
    assert not verify(public, signature[:32] + s_plus_l, b"m")


@pytest.mark.parametrize(("public", "signature"), [(bytes(31), bytes(64)), (NEUTRAL, bytes(63)), (b"", b"")])
def test_wrong_lengths_are_false_not_errors(public: bytes, signature: bytes) -> None:
    assert not verify(public, signature, b"m")


def test_a_key_of_the_wrong_length_is_named_so() -> None:
    assert usable_public_key(bytes(31)) == "an Ed25519 public key is 32 bytes, this one has 31"


def test_a_device_event_forged_for_a_small_order_key_is_a_bad_signature(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A registry written by hand (parse_public_key refuses such a key) still accepts no forgery."""
    keys = DeviceKeys(tmp_path / "devices.json", {"ctl-1": Ed25519PublicKey.from_public_bytes(NEUTRAL)})
    event = {"id": "e1", "kind": "door", "ts": "2026-11-21T02:00:00+01:00", "site": "dc-1", "source": "ctl-1",
             "door": "D-HV", "state": "unlocked"}
    event["sig"] = base64.b64encode(NEUTRAL + bytes(32)).decode()  # verifies any payload under OpenSSL
    assert check_event_signature(event, keys).status == "bad_signature"


@pytest.mark.parametrize("alg", [ALG_ED25519, ALG_COSIGNATURE_V1], ids=["checkpoint", "cosignature"])
def test_a_log_or_witness_vkey_of_small_order_is_refused(alg: int) -> None:
    vkey = "w.example/1+00000000+" + base64.b64encode(bytes([alg]) + NEUTRAL).decode()
    with pytest.raises(NoteError, match="small order"):
        parse_vkey(vkey)
