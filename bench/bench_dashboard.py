"""The dashboard under load (issue 16): page server time on a big site, and live dashboards beside ingest.

* **pages**: a site of ``STOCKADE_BENCH_EVENTS`` events (default 1,000,000: the simulated quiet week
  repeated with fresh ids, as the recovery benchmark builds it) with 1,000 forced-door incidents spread
  through it, ingested into an in-process node; then ``GET /ui/`` (overview) and
  ``GET /ui/incidents/{site}/{id}`` (the incident workspace, a different incident each time) are asked
  ``REQUESTS`` times each by a signed-in read key through the app itself (no socket): the server's own
  time per page, p50 and p95. Target p95 ≤ 100 ms.
* **live**: a node served by uvicorn on 127.0.0.1; ingest offered at 2,000 events/s (batches of 200
  every 0.1 s; one forced door in every 100 events, so the feed has alerts to push) for ``LIVE_S``
  seconds, alternately with no dashboard and with 50 dashboards (another process) holding
  ``/ui/stream/alerts`` open; the time each batch takes to ingest (median and p95) and the rate kept,
  compared in the same run. Target: ingest slowed by at most 5 %. The work done is printed beside:
  events accepted, alerts each dashboard received.

    python -m bench dashboard
    STOCKADE_BENCH_EVENTS=200000 python -m bench dashboard     # a smaller site on a loaded machine

Playbooks are off (an empty playbook directory): the benchmark measures pages and the stream, not
1,000 evidence bundles being written.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import msgspec
import uvicorn
from fastapi.testclient import TestClient

from bench.bench_recovery import million_lines
from bench.harness import free_port, percentile, print_table
from stockade.node.ingest import Principal
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.store import IncidentQuery
from stockade.web.app import create_dashboard

ROOT = Path(__file__).resolve().parent.parent
EVENTS = int(os.environ.get("STOCKADE_BENCH_EVENTS", "1000000"))
INCIDENTS = 1_000
REQUESTS = 200
BATCH = 5_000
RATE = 2_000
LIVE_BATCH = 200
LIVE_S = float(os.environ.get("STOCKADE_BENCH_LIVE_S", "12"))
DASHBOARDS = 50
ROUNDS = 2
SITE = "dc-demo"
ENC = msgspec.json.Encoder()


def _node(tmp: Path, **settings: Any) -> Node:
    (tmp / "sites").mkdir(parents=True)
    (tmp / "playbooks").mkdir()
    shutil.copy(ROOT / "examples" / "sites" / "dc-demo.yaml", tmp / "sites" / "dc-demo.yaml")
    return Node.open(Settings(data_dir=tmp, playbook_dir=tmp / "playbooks", **settings))


DOORS = ("D-HV", "D-SERVER", "D-PACK-DOCK", "D-RETURNS")
"""Forced in turn: no two share a zone, so each forced door is its own incident unless the same door
was forced within the correlation window (30 min) — at 1M events, 1,000 doors are 71 min apart."""


def _with_forced_doors(lines: list[bytes], every: int, tag: str) -> list[bytes]:
    """``lines`` with a forced door after every ``every``-th line, at that line's time."""
    out: list[bytes] = []
    for i, line in enumerate(lines, 1):
        out.append(line)
        if i % every == 0:
            ts = msgspec.json.decode(line)["ts"]
            out.append(ENC.encode({"id": f"bench-forced-{tag}-{i}", "kind": "door", "ts": ts, "site": SITE,
                                   "source": "ctl-1", "door": DOORS[(i // every) % len(DOORS)],
                                   "state": "forced"}))
    return out


def _sign_in(client: TestClient | httpx.Client, node: Node) -> None:
    token, record = new_key(("read",), label="bench dashboard")
    node.store.put_key(record)
    r = client.post("/ui/login", data={"key": token}, follow_redirects=False)
    if r.status_code != 303:
        raise RuntimeError(f"sign-in failed: {r.status_code} {r.text[:200]}")


def _timed(client: TestClient, path: str) -> float:
    start = time.perf_counter()
    r = client.get(path)
    took = time.perf_counter() - start
    if r.status_code != 200:
        raise RuntimeError(f"GET {path} answered {r.status_code}")
    return took * 1000


def pages() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        node = _node(Path(tmp) / "data")
        lines = _with_forced_doors(million_lines(EVENTS - INCIDENTS), max(1, (EVENTS - INCIDENTS) // INCIDENTS), "p")
        app = create_dashboard(node)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            built = time.perf_counter()
            accepted = 0
            for i in range(0, len(lines), BATCH):
                accepted += node.ingestor.ingest_lines(lines[i:i + BATCH], Principal.operator()).count("accepted")
            if not node.wait_for_engine(SITE, 1800):
                raise RuntimeError("the engine did not catch up in 30 min")
            build_s = time.perf_counter() - built
            incidents = [s.id for s in node.store.list_incidents(IncidentQuery(SITE, limit=10_000))]
            _sign_in(client, node)
            for _ in range(5):  # warm up: templates compiled, caches filled
                _timed(client, "/ui/")
            overview = [_timed(client, "/ui/") for _ in range(REQUESTS)]
            rng = random.Random(16)
            workspace = [_timed(client, f"/ui/incidents/{SITE}/{rng.choice(incidents)}") for _ in range(REQUESTS)]
    return {"events": accepted, "incidents": len(incidents), "build_s": round(build_s, 1),
            "overview_ms": {"p50": statistics.median(overview), "p95": percentile(overview, 95)},
            "incident_ms": {"p50": statistics.median(workspace), "p95": percentile(workspace, 95)}}


CLIENTS = r"""
import asyncio, sys
from urllib.parse import urlsplit
url, cookie, n = urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3])
counts = [0] * n
async def watch(i):  # a raw socket: the watchers cost this machine as little as a browser tab would
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(f"GET {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                 f"Cookie: stockade_session={cookie}\r\nAccept: text/event-stream\r\n\r\n".encode())
    tail = b""
    while chunk := await reader.read(65536):
        data = tail + chunk
        counts[i] += data.count(b"event: alert\n")
        tail = data[-16:].replace(b"event: alert\n", b"")
async def main():
    tasks = [asyncio.create_task(watch(i)) for i in range(n)]
    await asyncio.to_thread(sys.stdin.read)
    for t in tasks: t.cancel()
    print(" ".join(map(str, counts)), flush=True)
asyncio.run(main())
"""

def _offer(node: Node, lines: list[bytes]) -> tuple[list[float], int, float]:
    """Ingest ``lines`` at RATE events/s; per-batch ingest ms, accepted, and the rate achieved."""
    took: list[float] = []
    accepted = 0
    start = time.perf_counter()
    for n, i in enumerate(range(0, len(lines), LIVE_BATCH)):
        due = start + n * LIVE_BATCH / RATE
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        t = time.perf_counter()
        accepted += node.ingestor.ingest_lines(lines[i:i + LIVE_BATCH], Principal.operator()).count("accepted")
        took.append((time.perf_counter() - t) * 1000)
    return took, accepted, accepted / (time.perf_counter() - start)


def live() -> dict[str, Any]:
    per_phase = int(RATE * LIVE_S)
    with tempfile.TemporaryDirectory() as tmp:
        node = _node(Path(tmp) / "data")
        app = create_dashboard(node)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base) as web:
            _sign_in(web, node)
            cookie = web.cookies["stockade_session"]
        week = million_lines(per_phase * ROUNDS * 2)  # in event-time order: no phase's events are late
        chunks = [_with_forced_doors(week[k * per_phase:(k + 1) * per_phase], 100, f"l{k}")
                  for k in range(ROUNDS * 2)]
        results: dict[str, list[Any]] = {"without": [], "with": []}
        received: list[int] = []
        for k, chunk in enumerate(chunks):
            phase = "with" if k % 2 else "without"
            clients = None
            if phase == "with":
                clients = subprocess.Popen(
                    [sys.executable, "-c", CLIENTS, f"{base}/ui/stream/alerts?site={SITE}", cookie, str(DASHBOARDS)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                deadline = time.monotonic() + 60
                while node.broadcast.listeners() < DASHBOARDS:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"only {node.broadcast.listeners()} dashboards connected")
                    time.sleep(0.05)
            took, accepted, rate = _offer(node, chunk)
            node.wait_for_engine(SITE, 120)
            if clients is not None:
                time.sleep(1.0)  # the last alerts reach the dashboards
                out, _ = clients.communicate("")
                received += [int(x) for x in out.split()[-DASHBOARDS:]]
            results[phase].append((took, accepted, rate))
        server.should_exit = True
    def summary(runs: list[Any]) -> dict[str, float]:
        took = [t for r in runs for t in r[0]]
        return {"batch_ms_p50": statistics.median(took), "batch_ms_p95": percentile(took, 95),
                "accepted": sum(r[1] for r in runs), "rate": statistics.median(r[2] for r in runs)}
    without, with_ = summary(results["without"]), summary(results["with"])
    return {"without": without, "with": with_, "slowdown_p50": with_["batch_ms_p50"] / without["batch_ms_p50"] - 1,
            "alerts_per_dashboard": {"min": min(received, default=0), "max": max(received, default=0)}}


def main() -> dict[str, Any]:
    parts = os.environ.get("STOCKADE_BENCH_PARTS", "pages,live").split(",")
    figures: dict[str, Any] = {}
    if "pages" in parts:
        figures["pages"] = _print_pages(pages())
    if "live" in parts:
        figures["live"] = _print_live(live())
    return figures


def _print_pages(p: dict[str, Any]) -> dict[str, Any]:
    print_table(f"Dashboard pages: a site of {p['events']:,} events, {p['incidents']:,} incidents "
                f"(built in {p['build_s']} s)", [
        ("overview GET /ui/, p95", f"{p['overview_ms']['p95']:.1f} ms", f"p50 {p['overview_ms']['p50']:.1f} ms, "
                                                                         f"{REQUESTS} requests; target ≤ 100 ms"),
        ("incident workspace, p95", f"{p['incident_ms']['p95']:.1f} ms",
         f"p50 {p['incident_ms']['p50']:.1f} ms, {REQUESTS} requests over random incidents; target ≤ 100 ms"),
    ])
    return p


def _print_live(lv: dict[str, Any]) -> dict[str, Any]:
    w, wo = lv["with"], lv["without"]
    print_table(f"Ingest at {RATE:,} events/s, with and without {DASHBOARDS} live dashboards (same run)", [
        ("batch ingest, no dashboard", f"{wo['batch_ms_p50']:.2f} ms",
         f"p95 {wo['batch_ms_p95']:.2f} ms; {wo['accepted']:,} accepted, {wo['rate']:,.0f}/s kept"),
        (f"batch ingest, {DASHBOARDS} dashboards", f"{w['batch_ms_p50']:.2f} ms",
         f"p95 {w['batch_ms_p95']:.2f} ms; {w['accepted']:,} accepted, {w['rate']:,.0f}/s kept"),
        ("slowdown (median batch)", f"{lv['slowdown_p50'] * 100:+.1f} %", "target ≤ +5 %"),
        ("alerts each dashboard received", f"{lv['alerts_per_dashboard']['min']:,}",
         f"min; max {lv['alerts_per_dashboard']['max']:,}"),
    ])
    return lv
