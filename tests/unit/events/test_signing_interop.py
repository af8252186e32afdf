"""A device that signs with any conforming RFC 8785 library verifies through Stockade's path.

The device here is the reference implementation (the ``rfc8785`` package): it builds its
event as it likes (whole-number floats, numbers in exponent form, nested attrs, non-ASCII
keys), signs ``rfc8785.dumps`` of it without ``sig``, and sends it written by an ordinary
JSON library. The node's ingest checks the signature over the event as sent.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stockade.ledger.devices import DeviceKeys
from stockade.node.ingest import Principal
from tests.node_fixtures import make_node, now_iso

KEY = Ed25519PrivateKey.generate()

EVENTS: list[dict[str, Any]] = [
    {"kind": "door", "door": "D-HV", "state": "held", "duration_s": 30.0},
    {"kind": "tag", "reader": "R-HV-1", "epc": "urn:epc:id:sgtin:0614141.107346.1", "rssi": -61.0,
     "antenna": 2, "attrs": {"a": 2.0, "list": [1.0, 1e21, 1e-7, 5e-324, 0.1, -0.0], "deep": {"x": {"y": 3.0}}}},
    {"kind": "sensor", "sensor": "S-MOTION-HV", "zone": "hv-cage", "type": "motion", "value": 1e16,
     "attrs": {"péché": 1, "pêche": 2.5, "€": "x", "😂": [333333333.33333329]}},
    {"kind": "video", "camera": "C-HV-1", "label": "person", "event": "enter", "score": 1.0, "count": 1,
     "attrs": {"big": 9007199254740991, "neg": -9007199254740991.0, "small": 1e-300}},
]


def _signed(i: int, fields: dict[str, Any]) -> dict[str, Any]:
    event = {"id": f"sig-{i}", "ts": now_iso(-60), "site": "dc-demo", "source": "ctl-1", **fields}
    event["sig"] = base64.b64encode(KEY.sign(rfc8785.dumps(event))).decode()
    return event


@pytest.mark.parametrize("writer", ["json", "rfc8785"])
def test_events_signed_with_the_reference_verify_at_ingest(tmp_path: Path, writer: str) -> None:
    node = make_node(tmp_path / "data")
    try:
        DeviceKeys.load(tmp_path / "data" / "devices.json").add("ctl-1", KEY.public_key())
        signed = [_signed(i, fields) for i, fields in enumerate(EVENTS)]
        lines = [json.dumps(e).encode() if writer == "json" else rfc8785.dumps(e) for e in signed]
        forged = dict(signed[1], attrs={**signed[1]["attrs"], "a": 3.0})
        lines.append(json.dumps(forged).encode())
        report = node.ingestor.ingest_lines(lines, Principal.operator("test"))
        statuses = [(r.status, r.field, r.reason) for r in report.results]
        assert statuses[:-1] == [("accepted", None, None)] * len(EVENTS)
        assert statuses[-1][:2] == ("rejected", "sig")
    finally:
        node.stop()
