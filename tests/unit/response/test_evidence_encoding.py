"""An evidence bundle's bytes: indented JSON, UTF-8 as it is, each string escaped as json.dumps does."""

from __future__ import annotations

import json

from stockade.response.evidence import FORMAT, ProvenEntry, encode_bundle


def test_a_bundle_is_the_bytes_json_dumps_writes() -> None:
    awkward = 'quote" back\\ nl\n tab\t ctl\x01\x1f del\x7f é \u2028 😀 <>&'
    manifest = {"site": "dc-demo", "incident": "inc-1", "events": [{"index": 0, "id": awkward}], "clips": []}
    entries = [ProvenEntry(0, '{"id":"ev-1","note":"é\\u0001"}'.encode(), (b"\x00" * 32, b"\xff" * 32))]
    custody = ProvenEntry(1, b'{"id":"act-1:custody"}', ())
    checkpoint = "example.com/log\n2\nq83K\n\n— key sig\n".encode()
    body = {"format": FORMAT, "manifest": manifest, "checkpoint": checkpoint.decode(),
            "custody": custody.to_json(), "entries": [e.to_json() for e in entries]}
    assert encode_bundle(manifest, entries, custody, checkpoint) == (
        json.dumps(body, indent=1, ensure_ascii=False).encode() + b"\n")
