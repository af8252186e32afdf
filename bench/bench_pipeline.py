"""The embedded pipeline with every detector on (issue 5), on the simulator's quiet week:

* throughput: decode → validate → RFC 8785 → store commit → ledger append → engine (all detectors,
  correlation, risk) → outputs committed → entity index, single process, batches of 1,000;
* in the same run, the backbone's bare baseline (msgspec decode + one ``executemany`` into SQLite)
  and the ingest-only figure, so the cost of detection reads as a ratio;
* alert latency, ingest call → alert committed, at a steady 10,000 events/s with the engine on its
  own thread (probe events that raise an alert are mixed in);
* memory of the engine with 1,000,000 tracked EPCs.

    python -m bench pipeline
"""

from __future__ import annotations

import gc
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from bench.bench_ingest import bench_baseline
from bench.harness import Work, in_fresh_process, percentile, print_table, proc_mib
from stockade.events import Alert, Envelope, Stock
from stockade.ledger.devices import DeviceKeys, parse_public_key
from stockade.node.engine_process import EngineProcess
from stockade.node.ingest import IngestReport, Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.node.tuning import tune_gc
from stockade.pipeline.build import build_engine
from stockade.sim.run import ListSink, simulate
from stockade.sim.scenario import Scenario, load_scenario
from stockade.site import load_site

ROOT = Path(__file__).resolve().parent.parent
QUIET = ROOT / "examples" / "scenarios" / "quiet-week.yaml"
BATCH = 1000


def simulated_week(max_events: int) -> tuple[list[bytes], dict[str, str]]:
    """The quiet week, moved to end before now (ingest refuses events from the future), and the public
    keys of the simulated devices that sign their events."""
    scenario = load_scenario(QUIET)
    start = datetime.now(UTC) - timedelta(days=9)
    scenario = Scenario(scenario.model.model_copy(update={"start": start}), scenario.site, scenario.path)
    sink = ListSink()
    result = simulate(scenario, sink)
    enc = msgspec.json.Encoder()
    return [enc.encode(e) for e in sink.events[:max_events]], result.public_keys


def simulated_lines(max_events: int) -> list[bytes]:
    return simulated_week(max_events)[0]


def _fresh(tmp: Path, engine: str, keys: dict[str, str] | None = None) -> Node:
    """A node on the demo site; ``keys``: the simulated devices' public keys, registered so their
    signed events are verified and kept (as `stockade keys import` would)."""
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "sites").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "sites" / "dc-demo.yaml", tmp / "sites" / "dc-demo.yaml")
    if keys:
        DeviceKeys(tmp / "devices.json", {s: parse_public_key(k) for s, k in keys.items()}).save()
    return Node.open(Settings(data_dir=tmp, engine=engine))  # type: ignore[arg-type]


def _ingest(node: Node, lines: Sequence[bytes]) -> list[IngestReport]:
    return [node.ingestor.ingest_lines(lines[i : i + BATCH], Principal.operator())
            for i in range(0, len(lines), BATCH)]


def _work(reports: Sequence[IngestReport], what: str, expected: int) -> Work:
    """What the run did, counted outside the timed part: every line accepted, the signed ones verified."""
    done = Work()
    for report in reports:
        done.add(report.results)
    return done.expect(what, accepted=expected)


def _cpu_s(pid: int | None = None) -> float:
    """CPU seconds (user + system) of this process (every thread), or of process ``pid``."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pipeline_rate(lines: Sequence[bytes], tmp: Path, engine: str, keys: dict[str, str],
                   ) -> tuple[float, int, Work, tuple[float, float]]:
    """Events/s from the first ingest call until the engine has applied the whole log; and the CPU
    µs per event of the node's process and of the engine's worker process (0 for a thread): on a
    shared machine the rate is the load's, the CPU cost is the code's."""
    node = _fresh(tmp, engine, keys)
    node.start()
    worker = node.engine.pid if isinstance(node.engine, EngineProcess) else None
    cpu, worker_cpu = _cpu_s(), _cpu_s(worker) if worker else 0.0
    start = time.perf_counter()
    reports = _ingest(node, lines)
    caught_up = node.wait_for_engine("dc-demo", timeout=600)
    rate = len(lines) / (time.perf_counter() - start)
    cpu = (_cpu_s() - cpu) / len(lines) * 1e6
    worker_cpu = (_cpu_s(worker) - worker_cpu) / len(lines) * 1e6 if worker else 0.0
    done = _work(reports, f"pipeline, engine in a {engine}", len(lines))
    alerts = int(node.metrics.outputs.labels("dc-demo", "alert")._value.get())
    node.stop()
    if not caught_up:
        raise RuntimeError("the engine did not catch up")
    return rate, alerts, done, (cpu, worker_cpu)


def bench_full(lines: Sequence[bytes], tmp: Path, keys: dict[str, str], repeats: int = 3,
               ) -> tuple[dict[str, float], dict[str, Work]]:
    """Median events/s: ingest only; the whole pipeline with the engine in a thread (one core) and
    in a worker process (two cores, as `stockade serve` runs), interleaved; and the work each did
    (each run is checked: every line accepted, the signed ones verified with the registered keys)."""
    out: dict[str, list[float]] = {"ingest_only": [], "thread": [], "process": [], "ingest_only_cpu_us": [],
                                   "node_cpu_us": [], "worker_cpu_us": []}
    work: dict[str, Work] = {}
    alerts = 0
    for _ in range(repeats):
        node = _fresh(tmp, "thread", keys)
        cpu, start = _cpu_s(), time.perf_counter()
        reports = _ingest(node, lines)
        out["ingest_only"].append(len(lines) / (time.perf_counter() - start))
        out["ingest_only_cpu_us"].append((_cpu_s() - cpu) / len(lines) * 1e6)
        work["ingest_only"] = _work(reports, "ingest only", len(lines))
        node.stop()
        for engine in ("thread", "process"):
            rate, alerts, work[engine], (node_cpu, worker_cpu) = _pipeline_rate(lines, tmp, engine, keys)
            out[engine].append(rate)
            if engine == "process":
                out["node_cpu_us"].append(node_cpu)
                out["worker_cpu_us"].append(worker_cpu)
    medians = {k: sorted(v)[len(v) // 2] for k, v in out.items()}
    medians["alerts"] = alerts
    return medians, work


startup: dict[str, float] = {}
"""Seconds from ``node.start()`` until the engine serves, per engine kind (a worker process is
spawned and imports the engine first): the latency probes begin after it."""


def bench_latency(lines: Sequence[bytes], tmp: Path, keys: dict[str, str], engine: str = "thread",
                  rate: int = 10_000, seconds: float = 15) -> tuple[list[float], Work]:
    """Latency from the ingest call to the committed alert for probe events, at ``rate`` events/s,
    once the engine serves (its start-up is kept in :data:`startup`); and the work done (every line
    and probe accepted)."""
    node = _fresh(tmp, engine, keys)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    committed = node.ingestor._on_committed  # the bench observes commits

    def observe(site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        now = time.perf_counter()
        for _, e in events:
            if isinstance(e, Alert):
                for ev in e.evidence:
                    if ev in sent:
                        latencies.append(now - sent.pop(ev))
        if committed is not None:
            committed(site, events)

    node.ingestor._on_committed = observe
    started = time.perf_counter()
    node.start()
    if not node.recovery.wait(120):  # steady state: the first probe is sent once the engine serves
        raise RuntimeError(f"the engine in a {engine} did not start")
    startup[engine] = time.perf_counter() - started
    tick = 0.01
    per_tick = int(rate * tick)
    stream = iter(lines)
    n_probe = 0
    deadline = time.perf_counter() + seconds
    next_at = time.perf_counter()
    done, sent_lines = Work(), 0
    while time.perf_counter() < deadline:
        batch = [line for _, line in zip(range(per_tick), stream, strict=False)]
        if not batch:
            break
        if n_probe * 0.05 < time.perf_counter() - (deadline - seconds):  # twenty probes a second
            probe_id = f"probe-{n_probe}"
            ts = datetime.now(UTC).isoformat()
            batch.append(msgspec.json.encode({"id": probe_id, "kind": "door", "ts": ts, "site": "dc-demo",
                                              "source": "bench", "door": "D-HV", "state": "forced"}))
            sent[probe_id] = time.perf_counter()
            n_probe += 1
        done.add(node.ingestor.ingest_lines(batch, Principal.operator()).results)
        sent_lines += len(batch)
        next_at += tick
        time.sleep(max(0.0, next_at - time.perf_counter()))
    time.sleep(1.0)
    node.stop()
    return latencies, done.expect(f"alert latency, engine in a {engine}", accepted=sent_lines)


def bench_memory(epcs: int = 1_000_000) -> float:
    """Engine memory growth (RSS, MiB) after receiving ``epcs`` tagged items; run it in a fresh
    process (``in_fresh_process``), where memory freed by other benchmarks cannot hide growth."""
    tune_gc()
    site = load_site(ROOT / "examples" / "sites" / "dc-demo.yaml")
    engine = build_engine(site)
    gc.collect()
    before = proc_mib()
    t0 = datetime(2026, 11, 16, 8, tzinfo=UTC)
    per_event = 500
    for k in range(epcs // per_event):
        items = [f"urn:epc:id:sgtin:0614141.107346.{k * per_event + j}" for j in range(per_event)]
        engine.step(Stock(id=f"rcv-{k}", ts=t0 + timedelta(seconds=k), site="dc-demo", source="wms",
                          op="receive", to=f"storage/A-{k % 400:03d}", epcs=items, sku="0614141.107346"), k)
    gc.collect()
    tracked = len(engine.state.stock.info)
    if tracked < epcs:
        raise RuntimeError(f"the engine tracks {tracked:,} EPCs, not {epcs:,}")
    return proc_mib() - before


def main(max_events: int = 100_000) -> dict[str, Any]:
    lines, keys = simulated_week(max_events)
    signed = sum(1 for line in lines if b'"sig":' in line)
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as d:
        tmp = Path(d)
        baseline = bench_baseline(list(lines), tmp / "baseline")
        rates, work = bench_full(lines, tmp / "full", keys)
        shutil.rmtree(tmp / "full", ignore_errors=True)
        latencies, latency_work = bench_latency(lines, tmp / "latency", keys, "thread")
        latencies_process, latency_process_work = bench_latency(lines, tmp / "latency-process", keys, "process")
    memory = in_fresh_process(bench_memory)
    p50 = percentile(latencies, 50) * 1000 if latencies else float("nan")
    p99 = percentile(latencies, 99) * 1000 if latencies else float("nan")
    pp50 = percentile(latencies_process, 50) * 1000 if latencies_process else float("nan")
    pp99 = percentile(latencies_process, 99) * 1000 if latencies_process else float("nan")
    bound = 1e6 / max(rates["node_cpu_us"], rates["worker_cpu_us"], 1e-9)
    full, threaded, ingest_only, alerts = rates["process"], rates["thread"], rates["ingest_only"], int(rates["alerts"])
    figures = {
        "events": len(lines), "accepted": work["process"].accepted, "rejected": work["process"].rejected,
        "signed_verified": signed, "ingest_only_accepted": work["ingest_only"].accepted,
        "thread_accepted": work["thread"].accepted, "latency_accepted": latency_work.accepted,
        "latency_process_accepted": latency_process_work.accepted,
        "pipeline_eps": full, "pipeline_one_core_eps": threaded,
        "ingest_only_eps": ingest_only, "baseline_eps": baseline,
        "pipeline_vs_baseline": full / baseline, "pipeline_vs_ingest_only": full / ingest_only,
        "alerts": alerts, "latency_probes": len(latencies), "ingest_only_cpu_us": rates["ingest_only_cpu_us"],
        "node_cpu_us": rates["node_cpu_us"], "worker_cpu_us": rates["worker_cpu_us"],
        "two_core_bound_eps": bound,
        "alert_latency_p50_ms": p50, "alert_latency_p99_ms": p99,
        "alert_latency_process_p50_ms": pp50, "alert_latency_process_p99_ms": pp99, "memory_1m_epcs_mib": memory,
        "engine_startup_s": dict(startup),
    }
    print_table(f"Embedded pipeline, every detector on, {len(lines):,} events of the simulated quiet week "
                f"({signed:,} signed by their devices, keys registered)", [
        ("pipeline, engine in a worker process (serve)", f"{full:,.0f} ev/s",
         f"target ≥ 80,000; {work['process'].note()}; the signed ones verified"),
        ("pipeline, engine in a thread (one core)", f"{threaded:,.0f} ev/s", work["thread"].note()),
        ("ingest only (same events, no engine)", f"{ingest_only:,.0f} ev/s",
         f"same run; {work['ingest_only'].note()}"),
        ("bare baseline (msgspec + one executemany)", f"{baseline:,.0f} ev/s", "same run"),
        ("CPU per event: node / engine worker; ingest only", f"{rates['node_cpu_us']:.1f} / "
         f"{rates['worker_cpu_us']:.1f} µs; {rates['ingest_only_cpu_us']:.1f} µs",
         f"the code's cost, less the load's: one free core each bounds the pipeline at {bound:,.0f} ev/s"),
        ("pipeline / ingest only; / baseline", f"{full / ingest_only:.0%}; {full / baseline:.0%}",
         f"{alerts} alerts raised"),
        ("alert latency p50 / p99 at 10,000 ev/s, thread", f"{p50:.1f} / {p99:.1f} ms",
         f"target p99 ≤ 50 ms; {len(latencies)} probes from {startup['thread']:.1f} s after start, once the "
         f"engine serves; {latency_work.note()}"),
        ("alert latency p50 / p99 at 10,000 ev/s, process", f"{pp50:.1f} / {pp99:.1f} ms",
         f"{len(latencies_process)} probes from {startup['process']:.1f} s after start (the worker spawned); "
         f"{latency_process_work.note()}"),
        ("engine memory, 1M tracked EPCs", f"{memory:,.0f} MiB", "target ≤ 1,024 MiB"),
    ])
    return figures
