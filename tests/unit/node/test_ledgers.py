"""The node keeps each site's ledger level with its store, signs checkpoints, and checks device signatures."""

from __future__ import annotations

import base64
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from stockade.events import canonical_event, decode_event
from stockade.events.canonical import signing_payload
from stockade.ledger.audit import Row, audit_rows
from stockade.ledger.devices import DeviceKeys
from stockade.ledger.log import ledger_dir
from stockade.ledger.seal import load_or_create_row_seal
from stockade.ledger.source import DirSource
from stockade.ledger.verify import verify_log
from stockade.node.ingest import Principal
from stockade.node.lock import DataDirBusyError
from stockade.store.sqlite import SqliteStore
from tests.node_fixtures import door_line, make_node, now_iso


def test_ingested_events_are_in_the_ledger_and_the_log_verifies(tmp_path: Path) -> None:
    node = make_node(tmp_path)
    report = node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(300)], Principal.operator())
    assert report.count("accepted") == 300
    node.stop()  # signs a final checkpoint
    rows = [Row(r.seq - 1, r.entry) for r in SqliteStore.open(tmp_path).read("dc-demo")]
    log = node.ledgers.logs["dc-demo"]
    assert log.size == 300
    assert audit_rows(log.entry, log.size, rows).ok
    verifiers = node.ledgers.keys.verifiers("stockade/dc-demo")
    checked = verify_log(DirSource(ledger_dir(tmp_path, "dc-demo")), verifiers)
    assert checked.size == 300


def test_a_log_behind_the_store_catches_up_at_open(tmp_path: Path) -> None:
    node = make_node(tmp_path)
    node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(10)], Principal.operator())
    node.stop()
    # a crash between the store commit and the ledger append: rows the log never saw, sealed by the node
    extra = [decode_event(door_line(f"late{i}")) for i in range(5)]
    store = SqliteStore.open(tmp_path, seal=load_or_create_row_seal(tmp_path / "keys"))
    store.append("dc-demo", extra, [canonical_event(e) for e in extra])
    store.close()
    again = make_node(tmp_path)
    assert again.ledgers.logs["dc-demo"].size == 15


def _signed(key: Ed25519PrivateKey, event_id: str, source: str) -> bytes:
    raw = {"id": event_id, "kind": "door", "ts": now_iso(-5), "site": "dc-demo", "source": source,
           "door": "D-HV", "state": "open"}
    raw["sig"] = base64.b64encode(key.sign(signing_payload(raw))).decode()
    return msgspec.json.encode(raw)


def test_device_signatures_are_checked_at_ingest(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    registry = DeviceKeys.load(tmp_path / "devices.json")
    registry.add("ctl-signed", base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode())
    registry.save()
    node = make_node(tmp_path)
    good = _signed(key, "s1", "ctl-signed")
    forged = _signed(Ed25519PrivateKey.generate(), "s2", "ctl-signed")
    unknown = _signed(key, "s3", "ctl-unknown")
    tampered = good.replace(b'"id":"s1"', b'"id":"s4"')
    report = node.ingestor.ingest_lines([good, forged, unknown, tampered], Principal.operator())
    got = [(r.status, r.field) for r in report.results]
    assert got == [("accepted", None), ("rejected", "sig"), ("rejected", "sig"), ("rejected", "sig")]
    assert "does not verify" in str(report.results[1].reason)
    assert "no registered key" in str(report.results[2].reason)


def test_a_second_node_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    first = make_node(tmp_path)
    with pytest.raises(DataDirBusyError, match="in use by another Stockade process"):
        make_node(tmp_path)
    first.stop()
    make_node(tmp_path).stop()  # free again once the first has stopped
