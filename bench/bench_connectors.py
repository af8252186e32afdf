"""Connectors: MQTT ingest through Mosquitto (QoS 1, acknowledged after the commit; the publishing device
in the bench's process, sharing the node's interpreter, then in a spawned process of its own), the latency of that
acknowledgement at a steady 5,000 events/s, Frigate payload mapping, and a signed door command's round trip
to a verifying controller. Each with a same-run baseline.

    python -m bench connectors

A Mosquitto of the benchmark's own runs on a free port (``max_queued_messages 0``: a burst is queued, not
dropped). Baselines: the same events through the embedded ingest path with no broker (batches of 1,000);
``json.loads`` of the same Frigate payloads; a bare MQTT 5 request/response round trip with no signing or
verifying.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import multiprocessing
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench.harness import WorkloadError, free_port, median_rate, percentile, print_table
from bench.mix import SOURCES, event_lines
from stockade.connectors.broker import BrokerSettings, Message, MqttSession, publish_properties
from stockade.connectors.errors import MappingRefused
from stockade.connectors.frigate.mapping import CameraMaps, map_message
from stockade.connectors.mqtt.door_sim import SimulatedController
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.response.ports import DoorCommand

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "examples" / "sites" / "dc-demo.yaml"
VECTORS = ROOT / "tests" / "unit" / "connectors" / "frigate" / "vectors"


class Broker:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        conf = workdir / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                        f"max_inflight_messages 0\nset_tcp_nodelay true\nuser {getpass.getuser()}\n")
        self.proc = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _node(tmp: Path, port: int, prefix: str) -> Node:
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "sites").mkdir(parents=True)
    shutil.copy(DEMO_SITE, tmp / "sites" / "dc-demo.yaml")
    binding = {"site": "dc-demo", "sources": sorted(set(SOURCES.values())), "kinds": sorted(SOURCES)}
    return Node.open(Settings(data_dir=tmp, engine="thread", connectors={
        "mqtt": {"node": prefix, "prefix": prefix, "broker": {"port": port, "receive_maximum": 20000},
                 "binding": binding}}))


def _counts(node: Node) -> tuple[int, int]:
    """Lines the MQTT connector had accepted and refused."""
    h = node.connectors.mqtt.health if node.connectors.mqtt is not None else None
    return (h.accepted, h.refused) if h is not None else (0, 0)


def _publisher(port: int) -> MqttSession:
    s = MqttSession(BrokerSettings(port=port), f"bench-pub-{uuid.uuid4().hex[:6]}", on_message=lambda _m: None)
    s.start()
    s.wait_connected(10)
    return s


def publish_all(port: int, topics: list[str], lines: list[bytes], ready: Any, go: Any) -> None:
    """A device in a process of its own (spawned): connect, say so, publish every line at QoS 1 once told."""
    pub = _publisher(port)
    ready.set()
    go.wait(60)
    sent = [pub.publish(topic, line, qos=1) for topic, line in zip(topics, lines, strict=True)]
    for info in sent:  # the broker has each (its PUBACK) before this device disconnects
        info.wait_for_publish(60)
    pub.stop()


def bench_mqtt_ingest(tmp: Path, port: int, n: int, *, own_process: bool) -> float:
    """Events/s from the first publish to the last commit, one event per message, the publisher in this
    process (sharing its interpreter with the node) or in its own."""
    lines = event_lines(n, seed=3)
    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    node = _node(tmp / "mqtt", port, prefix)
    node.connectors.start()
    assert node.connectors.mqtt is not None
    node.connectors.mqtt.session.wait_connected(10)
    topics = [f"{prefix}/dc-demo/events/{json.loads(line)['source']}" for line in lines]
    if own_process:
        context = multiprocessing.get_context("spawn")
        ready, go = context.Event(), context.Event()
        device = context.Process(target=publish_all, args=(port, topics, lines, ready, go))
        device.start()
        if not ready.wait(60):
            raise WorkloadError("the publisher process did not connect in 60 s")
        start = time.perf_counter()
        go.set()
    else:
        pub = _publisher(port)
        start = time.perf_counter()
        for topic, line in zip(topics, lines, strict=True):
            pub.publish(topic, line, qos=1)
    deadline = time.monotonic() + 120
    while sum(_counts(node)) < n and time.monotonic() < deadline:
        time.sleep(0.005)
    rate = n / (time.perf_counter() - start)
    accepted, refused = _counts(node)
    where = "its own process" if own_process else "this process"
    print(f"MQTT ingest, the publisher in {where}: {accepted:,} accepted, {refused:,} refused of {n:,}")
    if own_process:
        device.join(30)
    else:
        pub.stop()
    node.stop()
    if (accepted, refused) != (n, 0):
        raise WorkloadError(f"MQTT ingest: {accepted:,} accepted and {refused:,} refused, expected {n:,} and 0")
    return rate


def bench_embedded(tmp: Path, port: int, n: int) -> float:
    """The baseline: the same lines through the embedded ingest path, no broker, batches of 1,000."""
    lines = event_lines(n, seed=3)

    def embedded() -> int:
        base = _node(tmp / "embedded", port, "bench-embedded")
        for i in range(0, n, 1000):
            base.ingestor.ingest_lines(lines[i : i + 1000], Principal.operator())
        base.stop()
        return n

    return median_rate(embedded, repeats=3)[0]


def bench_ack_latency(tmp: Path, port: int, rate: int, seconds: float) -> tuple[float, float, int]:
    """Publish at a steady rate; the time from publishing an event to its result (published right before
    the node acknowledges the message to the broker, after the commit)."""
    n = int(rate * seconds)
    lines = event_lines(n, seed=4)
    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    node = _node(tmp / "ack", port, prefix)
    node.connectors.start()
    assert node.connectors.mqtt is not None
    node.connectors.mqtt.session.wait_connected(10)
    sent: dict[str, float] = {}
    latency: list[float] = []
    done = threading.Event()

    def on_result(m: Message) -> None:
        now = time.perf_counter()
        for row in bytes(m.payload).split(b"\n"):
            r = json.loads(row)
            if (t := sent.get(r.get("id", ""))) is not None:
                latency.append(now - t)
        if len(latency) >= n:
            done.set()

    watcher = MqttSession(BrokerSettings(port=port), f"bench-res-{prefix}", on_message=on_result)
    watcher.start([(f"{prefix}/dc-demo/results/+", 0)])
    watcher.wait_connected(10)
    time.sleep(0.3)
    pub = _publisher(port)
    start = time.perf_counter()
    for i, line in enumerate(lines):
        due = start + i / rate
        while (now := time.perf_counter()) < due:
            time.sleep(max(0.0, min(due - now, 0.001)))
        ev = json.loads(line)
        sent[ev["id"]] = time.perf_counter()
        pub.publish(f"{prefix}/dc-demo/events/{ev['source']}", line, qos=1)
    done.wait(30)
    pub.stop()
    watcher.stop()
    node.stop()
    return percentile(latency, 50) * 1000, percentile(latency, 99) * 1000, len(latency)


def bench_frigate_mapping(tmp: Path) -> tuple[float, float]:
    from tests.unit.connectors.frigate.conftest import frigate_site

    cams = CameraMaps.of_site(frigate_site(tmp))
    payloads = [(p.read_bytes()) for p in sorted(VECTORS.glob("events-*.json"))] * 2000
    now = time.time()
    from datetime import UTC, datetime

    at = datetime.fromtimestamp(now, UTC)

    def mapped() -> int:
        for p in payloads:
            with contextlib.suppress(MappingRefused):  # refusals (repeats) are part of the work measured
                map_message(cams, "frigate", "frigate/events", p, at)
        return len(payloads)

    def parsed() -> int:
        for p in payloads:
            json.loads(p)
        return len(payloads)

    return median_rate(mapped, repeats=3)[0], median_rate(parsed, repeats=3)[0]


def bench_door_round_trip(tmp: Path, port: int, n: int) -> tuple[float, float, float, float]:
    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    node = _node(tmp / "doors", port, prefix)
    node.connectors.start()
    conn = node.connectors.mqtt
    assert conn is not None
    assert node.connectors.signer is not None
    conn.session.wait_connected(10)
    ctl = SimulatedController(BrokerSettings(port=port), "dc-demo", "CTL-B", ["D-HV"],
                              keys=[node.connectors.signer.public_raw], prefix=prefix)
    ctl.start()
    acked = threading.Event()
    conn.doors._on_ack = lambda _a: acked.set()  # the bench listens to every ack
    samples = []
    for i in range(n):
        acked.clear()
        start = time.perf_counter()
        conn.doors.lock(f"bench-{i}", DoorCommand("dc-demo", "D-HV", "LOCK" if i % 2 else "UNLOCK", "inc-b"))
        acked.wait(5)
        samples.append(time.perf_counter() - start)
    ctl.stop()
    node.stop()

    # baseline: a bare MQTT 5 request/response, no signature, no verification, no ack wait for QoS 1
    got = threading.Event()

    def answer(m: Message) -> None:
        props = m.properties
        echo.publish(props.ResponseTopic, b"ok", qos=1, properties=publish_properties(
            correlation=props.CorrelationData))

    echo = MqttSession(BrokerSettings(port=port), f"bench-echo-{prefix}", on_message=answer)
    echo.start([(f"{prefix}/echo", 1)])
    echo.wait_connected(10)
    asker = MqttSession(BrokerSettings(port=port), f"bench-ask-{prefix}", on_message=lambda _m: got.set())
    asker.start([(f"{prefix}/echo-reply", 1)])
    asker.wait_connected(10)
    time.sleep(0.3)
    base = []
    for i in range(n):
        got.clear()
        start = time.perf_counter()
        asker.publish(f"{prefix}/echo", b"x", qos=1, properties=publish_properties(
            response_topic=f"{prefix}/echo-reply", correlation=str(i).encode()))
        got.wait(5)
        base.append(time.perf_counter() - start)
    echo.stop()
    asker.stop()
    return (percentile(samples, 50) * 1000, percentile(samples, 99) * 1000,
            percentile(base, 50) * 1000, percentile(base, 99) * 1000)


def main(events: int = 20_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stockade-bench-connectors-") as d:
        tmp = Path(d)
        broker = Broker(tmp)
        try:
            ingest = bench_mqtt_ingest(tmp, broker.port, events, own_process=False)
            apart = bench_mqtt_ingest(tmp, broker.port, events, own_process=True)
            embedded = bench_embedded(tmp, broker.port, events)
            p50, p99, measured = bench_ack_latency(tmp, broker.port, 5000, 3.0)
            mapping, parsing = bench_frigate_mapping(tmp)
            door50, door99, echo50, echo99 = bench_door_round_trip(tmp, broker.port, 500)
        finally:
            broker.stop()
    figures = {"mqtt_ingest_eps": ingest, "mqtt_ingest_own_process_eps": apart,
               "embedded_ingest_eps": embedded, "ack_p50_ms": p50, "ack_p99_ms": p99,
               "ack_samples": measured, "frigate_mapping_per_s": mapping, "frigate_json_loads_per_s": parsing,
               "door_ack_p50_ms": door50, "door_ack_p99_ms": door99, "mqtt_echo_p50_ms": echo50,
               "mqtt_echo_p99_ms": echo99}
    print_table("Connectors (own Mosquitto on loopback)", [
        ("MQTT ingest, QoS 1, one event per message", f"{ingest:,.0f} ev/s",
         f"publish → committed, acknowledged after the commit; {events:,} events (target ≥ 20,000)"),
        ("  the publisher in a process of its own", f"{apart:,.0f} ev/s",
         "the node no longer shares its interpreter with the device"),
        ("  baseline: embedded ingest, no broker", f"{embedded:,.0f} ev/s", "batches of 1,000"),
        ("ack after commit at 5,000 ev/s", f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
         f"publish → result (sent just before the ack); {measured:,} samples (target p99 ≤ 50 ms)"),
        ("Frigate mapping", f"{mapping:,.0f} payloads/s", "frigate/events payloads (target ≥ 50,000)"),
        ("  baseline: json.loads", f"{parsing:,.0f} payloads/s", "the same payloads"),
        ("door command → controller ack", f"p50 {door50:.1f} ms, p99 {door99:.1f} ms",
         "signed, verified, answered on the response topic; 500 commands (target p99 ≤ 20 ms)"),
        ("  baseline: bare MQTT 5 request/response", f"p50 {echo50:.1f} ms, p99 {echo99:.1f} ms", "no signing"),
    ])
    return figures
