"""The SIEM export from a node's log: over syslog (a local TCP collector) and HTTP (a local receiver),
resuming from its durable cursor after a restart, nothing lost, ids stable."""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stockade.connectors.siem.adapter import SendError, SiemExporter
from stockade.connectors.siem.config import SiemSettings
from stockade.node.connectors import StoreFindings
from stockade.node.runtime import Node
from stockade.store.outbox import OutboxTables
from tests.mqtt_helpers import free_port
from tests.node_fixtures import make_node
from tests.unit.connectors.siem.test_mapping import ALERT, DECISION, INCIDENT
from tests.unit.connectors.webhook.receiver import Receiver


class Collector:
    """A syslog collector over TCP that splits octet-counted frames."""

    def __init__(self, port: int = 0) -> None:
        self.frames: list[bytes] = []
        collector = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                buf = b""
                while chunk := self.request.recv(65536):
                    buf += chunk
                    while b" " in buf:
                        length, _, rest = buf.partition(b" ")
                        if len(rest) < int(length):
                            break
                        collector.frames.append(rest[: int(length)])
                        buf = rest[int(length):]

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n: int) -> None:
        """Until ``n`` frames are in. Each connection has its own handler thread, so frames sent on a
        later connection can overtake an earlier one's still being read: a test that checks order across
        connections waits for the first's frames before the second connects."""
        deadline = time.monotonic() + 60
        while len(self.frames) < n:
            assert time.monotonic() < deadline, f"{len(self.frames)} frames of {n} came"
            time.sleep(0.01)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = make_node(tmp_path / "data")
    n.ingestor.write_outputs("dc-demo", [ALERT, INCIDENT, DECISION])
    yield n
    n.stop()


def findings(node: Node) -> StoreFindings:
    assert isinstance(node.store, OutboxTables)
    return StoreFindings(node.store, node.store)


def test_syslog_export_resumes_from_its_cursor(node: Node) -> None:
    collector = Collector()
    try:
        settings = SiemSettings.model_validate({"destinations": {"soc": {"transport": "syslog",
                                                                        "port": collector.port, "batch": 2}}})
        exporter = SiemExporter(settings, findings(node), ["dc-demo"])
        assert exporter.export_once("soc") == 3
        assert exporter.export_once("soc") == 0  # the cursor moved: nothing twice
        exporter.stop()
        collector.wait_for(3)
        more = ALERT.__class__(**{**{f: getattr(ALERT, f) for f in ALERT.__struct_fields__}, "id": "al-2"})
        node.ingestor.write_outputs("dc-demo", [more])
        exporter = SiemExporter(settings, findings(node), ["dc-demo"])  # a restart
        assert exporter.export_once("soc") == 1
        exporter.stop()
        collector.wait_for(4)
        bodies = [json.loads(f.split(b"] ", 1)[1]) for f in collector.frames]
        assert [b["metadata"]["uid"] for b in bodies] == ["al-1", "inc-1.v2", "dec-1", "al-2"]
        assert [b["class_uid"] for b in bodies] == [2004, 2005, 3002, 2004]
    finally:
        collector.close()


def test_an_unreachable_collector_keeps_the_cursor(node: Node) -> None:
    port = free_port()
    settings = SiemSettings.model_validate({"destinations": {"soc": {"transport": "syslog", "port": port,
                                                                    "timeout_s": 1}}})
    exporter = SiemExporter(settings, findings(node), ["dc-demo"])
    with pytest.raises(SendError):
        exporter.export_once("soc")
    assert findings(node).cursor_get("soc", "dc-demo") == 0
    collector = Collector(port)
    try:
        assert exporter.export_once("soc") == 3
    finally:
        exporter.stop()
        collector.close()


def test_http_export_hec_with_its_token_and_cef_filtering(node: Node) -> None:
    receiver = Receiver()
    try:
        settings = SiemSettings.model_validate({"destinations": {
            "splunk": {"transport": "http", "url": receiver.url, "style": "hec", "token": "t0k",
                       "kinds": ["alert", "incident"]}}})
        exporter = SiemExporter(settings, findings(node), ["dc-demo"])
        assert exporter.export_once("splunk") == 2
        exporter.stop()
        ((headers, body),) = receiver.received
        assert headers["authorization"] == "Splunk t0k"
        events = [json.loads(line) for line in body.replace(b"}{", b"}\n{").splitlines()]
        assert [e["event"]["class_uid"] for e in events] == [2004, 2005]
        receiver.status = 503
        node.ingestor.write_outputs("dc-demo", [ALERT.__class__(**{**{f: getattr(ALERT, f)
                                                                     for f in ALERT.__struct_fields__}, "id": "al-9"})])
        exporter = SiemExporter(settings, findings(node), ["dc-demo"])
        with pytest.raises(SendError, match="503"):
            exporter.export_once("splunk")
        exporter.stop()
    finally:
        receiver.close()
