"""Device key registry and event signature checks."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stockade.events.canonical import signing_payload
from stockade.ledger.devices import DeviceKeys, check_event_signature, verify_event_signature
from stockade.ledger.errors import KeyFileError

KEY = Ed25519PrivateKey.generate()
PUB = base64.b64encode(KEY.public_key().public_bytes_raw()).decode()


def _event(**extra: Any) -> dict[str, Any]:
    return {"id": "e1", "kind": "door", "ts": "2026-11-21T02:00:00+01:00", "site": "dc-1",
            "source": "ctl-1", "door": "D-1", "state": "forced", **extra}


def _signed() -> dict[str, Any]:
    raw = _event()
    raw["sig"] = base64.b64encode(KEY.sign(signing_payload(raw))).decode()
    return raw


def test_verify_event_signature() -> None:
    raw = _signed()
    assert verify_event_signature(raw, KEY.public_key())
    assert not verify_event_signature({**raw, "door": "D-2"}, KEY.public_key())
    assert not verify_event_signature({**raw, "sig": "!!"}, KEY.public_key())
    assert not verify_event_signature(_event(), KEY.public_key())


def test_registry_roundtrip_and_checks(tmp_path: Path) -> None:
    path = tmp_path / "devices.json"
    DeviceKeys.load(path).add("ctl-1", PUB)
    keys = DeviceKeys.load(path)
    assert keys.sources() == ["ctl-1"]
    assert check_event_signature(_signed(), keys).status == "verified"
    assert check_event_signature(_event(), keys).status == "unsigned"
    required = check_event_signature(_event(), keys, require=["ctl-1"])
    assert (required.accepted, required.status) == (False, "signature_required")
    forged = {**_signed(), "state": "closed"}
    assert check_event_signature(forged, keys).status == "bad_signature"
    stranger = {**_signed(), "source": "ctl-9"}
    assert check_event_signature(stranger, keys).status == "unknown_device"


@pytest.mark.parametrize("bad", ["", "abc", base64.b64encode(b"x" * 31).decode()])
def test_bad_public_keys(tmp_path: Path, bad: str) -> None:
    with pytest.raises(KeyFileError):
        DeviceKeys.load(tmp_path / "d.json").add("s", bad)
