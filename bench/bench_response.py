"""Incident response: incident opened -> first intent sent in a running node (target p99 <= 100 ms),
the planner's tick cost per site with 1,000 open incidents whose timers run (target <= 50 us); and the
inclusion proofs of an evidence bundle (a 5,000-entry window of a 200,000-entry log), made together as
the bundle makes them and, as the same run's baseline, one at a time.

    python -m bench response

The node runs in this process with its engine, executor thread and recording ports (nothing leaves the
machine); an incident version is written the way the correlator writes it, and the clock stops when the
executor has handed the first intent to its port. Baselines, same run: committing one output event
(what opening costs by itself), and a tick of a planner with no incident.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import percentile, print_table
from stockade.events import Entities, Incident
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog
from stockade.ledger.merkle import leaf_hash, verify_inclusion
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.response.intents import intent_id
from stockade.response.playbook import PlaybookSet
from stockade.response.portset import Ports, Recording
from stockade.response.rehearsal import Rehearsal
from stockade.site import load_site

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "examples" / "sites" / "dc-demo.yaml"


def _incident(n: int, at: datetime, pattern: str = "tailgate_intrusion", severity: str = "medium") -> Incident:
    return Incident(id=f"inc-b{n}:1", ts=at, site="dc-demo", source="stockade/correlation", incident=f"inc-b{n}",
                    pattern=pattern, severity=severity, status="new", start=at, end=at,  # type: ignore[arg-type]
                    entities=Entities(zones=("hv-cage",)), alerts=(f"al-b{n}",), evidence=(), summary="bench")


def first_intent_latency(n: int = 300) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="stockade-bench-response-"))
    try:
        (data / "sites").mkdir()
        shutil.copy(DEMO_SITE, data / "sites" / "dc-demo.yaml")
        node = Node.open(Settings(data_dir=data, engine="thread"), ports=Ports.of(Recording()))
        node.start()
        try:
            carrier = node.executor.carrier
            latencies, commits = [], []
            for i in range(n):
                key = intent_id("dc-demo", f"inc-b{i}", "tailgate-intrusion:page")
                start = time.monotonic()
                node._write_outputs("dc-demo", [_incident(i, datetime.now(UTC))])
                commits.append(time.monotonic() - start)
                while key not in carrier.sent_at:
                    time.sleep(0.0002)
                latencies.append(carrier.sent_at[key] - start)
        finally:
            node.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    ms = [x * 1000 for x in latencies]
    base = [x * 1000 for x in commits]
    return {"incidents": n, "p50_ms": statistics.median(ms), "p99_ms": percentile(ms, 99),
            "commit_p50_ms": statistics.median(base), "commit_p99_ms": percentile(base, 99)}


def tick_cost(incidents: int = 1000, ticks: int = 100, repeats: int = 5) -> dict[str, Any]:
    site = load_site(DEMO_SITE)
    r = Rehearsal(site, PlaybookSet().playbooks)
    t0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    for i in range(incidents):  # blind-and-grab: an approval (2 min) and an escalation (3 min) each
        r.feed(_incident(i, t0, "blind_and_grab", "critical"))
    planner = r.planner
    empty = Rehearsal(site, PlaybookSet().playbooks).planner
    per_tick, base = [], []
    for k in range(repeats):
        start = time.perf_counter_ns()
        for s in range(ticks):
            planner.tick(t0 + timedelta(seconds=1 + k * ticks // repeats + s // 100))
        per_tick.append((time.perf_counter_ns() - start) / ticks / 1000)
        start = time.perf_counter_ns()
        for s in range(ticks):
            empty.tick(t0 + timedelta(seconds=1 + s))
        base.append((time.perf_counter_ns() - start) / ticks / 1000)
    timers = planner.timers()
    # then the 5 minutes in which every approval (2 min) and escalation (3 min) falls due, a tick a second
    fired = 0
    start = time.perf_counter_ns()
    for s in range(300):
        fired += len(planner.tick(t0 + timedelta(seconds=60 + s)))
    firing_us = (time.perf_counter_ns() - start) / 300 / 1000
    return {"open_incidents": incidents, "timers": timers, "tick_us": statistics.median(per_tick),
            "empty_tick_us": statistics.median(base), "firing_tick_us": firing_us, "fired": fired}


def evidence_proofs(entries: int = 200_000, window: int = 5_000, repeats: int = 3) -> dict[str, Any]:
    """CPU ms to prove ``window`` consecutive entries of a log of ``entries`` (what a capture_evidence
    step's bundle proves): together (``SiteLog.inclusion_proofs``) and one at a time, interleaved;
    every proof of the window is checked against the log's root, and the two ways must agree."""
    data = Path(tempfile.mkdtemp(prefix="stockade-bench-proofs-"))
    try:
        keys = load_or_create_log_keys(data / "keys")
        log = SiteLog.open(data / "ledger", "stockade/bench", keys.signer("stockade/bench"))
        leaves = [b'{"id":"ev-%d"}' % i for i in range(entries)]
        for i in range(0, entries, 1000):
            log.append(leaves[i:i + 1000])
        size, root = log.size, log.root()
        indices = list(range(entries * 3 // 4, entries * 3 // 4 + window))
        together, alone = [], []
        for _ in range(repeats):
            start = time.process_time()
            proofs = log.inclusion_proofs(indices, size)
            together.append((time.process_time() - start) * 1000)
            start = time.process_time()
            single = [log.inclusion_proof(i, size) for i in indices]
            alone.append((time.process_time() - start) * 1000)
            if proofs != single:
                raise RuntimeError("the proofs made together differ from the ones made one at a time")
        for i, proof in zip(indices, proofs, strict=True):
            verify_inclusion(leaf_hash(leaves[i]), i, size, proof, root)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return {"log_entries": size, "proofs": len(proofs), "verified": len(proofs),
            "together_ms": statistics.median(together), "one_at_a_time_ms": statistics.median(alone)}


def main() -> dict[str, Any]:
    latency = first_intent_latency()
    ticks = tick_cost()
    proofs = evidence_proofs()
    print_table("Incident response", [
        ("incident opened -> first intent sent, p50 / p99 (running node, thread engine)",
         f"{latency['p50_ms']:.2f} / {latency['p99_ms']:.2f} ms",
         f"{latency['incidents']} incidents; target p99 <= 100 ms"),
        ("baseline: committing the incident version alone, p50 / p99",
         f"{latency['commit_p50_ms']:.2f} / {latency['commit_p99_ms']:.2f} ms", "same run"),
        ("planner tick, 1,000 open incidents with running timers",
         f"{ticks['tick_us']:.2f} us", f"{ticks['timers']} timers queued; target <= 50 us per site"),
        ("baseline: tick of a planner with no incident", f"{ticks['empty_tick_us']:.2f} us", "same run"),
        ("planner tick, the same 1,000 over the 5 minutes their timers fire (mean of 300 ticks, 1 s apart)",
         f"{ticks['firing_tick_us']:.2f} us", f"{ticks['fired']} decisions planned by the timers"),
        (f"evidence bundle's proofs: {proofs['proofs']:,} entries of a {proofs['log_entries']:,}-entry log, "
         "made together (CPU, median of 3)", f"{proofs['together_ms']:,.0f} ms",
         f"{proofs['verified']:,} proofs verified against the root; "
         f"{proofs['one_at_a_time_ms'] / proofs['together_ms']:.1f}x less than one at a time"),
        ("baseline: the same proofs one at a time", f"{proofs['one_at_a_time_ms']:,.0f} ms", "same run, interleaved"),
    ])
    return {"first_intent": latency, "tick": ticks, "evidence_proofs": proofs}
