"""Recovery after a crash (issue 18 item 9): a site of 1,000,000 events, the node killed, restarted.

* builds the site: the simulated quiet week (repeated with fresh ids and later times until there are
  ``EVENTS`` events), posted to a real ``stockade serve`` (engine in its worker; the engine and the
  access decision point snapshotted every 50,000 log positions), then the whole process group is
  killed with SIGKILL mid-way through the engine's work on the last batches — no final snapshot;
* restarts ``stockade serve`` on the same data directory and measures, from the exec: the first HTTP
  answer (``/healthz``, 503 "recovering" with progress), and serving (``/healthz`` 200: the doors'
  facts restored from their snapshot and the log after it, every engine has replayed its log tail
  after its snapshot); SIGKILL and restart again, ``REPEATS`` times;
* same-run baselines: ``stockade serve`` on an empty data directory (the floor: interpreter,
  imports, worker spawn), and reading the log tail from the store in this process;
* the work done: events in the log, the snapshot's position and size, the tail replayed.

    python -m bench recovery
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec

from bench.bench_pipeline import simulated_lines
from bench.harness import free_port, print_table
from stockade.node.keys import new_key
from stockade.node.runtime import open_store
from stockade.node.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 1_000_000
REPEATS = 3
BATCH = 5_000
SNAPSHOT_EVERY = 50_000
TARGET_S = 5.0


def million_lines(n: int) -> list[bytes]:
    """The quiet week, then copies of it a week later each with new ids, until ``n`` events; all in
    the past (ingest refuses the future). The copies are posted unsigned: a device's signature covers
    the id and the time this rewrites, so ingest refused every signed copy (58,710 of 1,000,000 lines,
    the "not accepted" of earlier runs) as it refuses any event altered after signing."""
    week = [msgspec.json.decode(line) for line in simulated_lines(10**9)]
    copies = -(-n // len(week))
    enc = msgspec.json.Encoder()
    out: list[bytes] = []
    for c in range(copies):
        shift = timedelta(days=7 * (c - copies + 1))
        for e in week:
            if len(out) == n:
                return out
            ts = datetime.fromisoformat(e["ts"]) + shift
            copy = {k: v for k, v in e.items() if k != "sig"}
            out.append(enc.encode({**copy, "id": f"{e['id']}.w{c}", "ts": ts.isoformat()}))
    return out


def _serve(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "stockade", "serve", "--data-dir", str(data), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
            env={**os.environ, "STOCKADE_SITES": "[]", "STOCKADE_SNAPSHOT_EVERY": str(SNAPSHOT_EVERY)},
        )


def _time_to_serving(data: Path, log: Path) -> tuple[float, float, list[dict[str, Any]]]:
    """Start ``serve``; seconds to the first HTTP answer and to /healthz 200, and the bodies seen."""
    port = free_port()
    start = time.perf_counter()
    proc = _serve(data, port, log)
    first: float | None = None
    seen: list[dict[str, Any]] = []
    url = f"http://127.0.0.1:{port}/healthz"
    while time.perf_counter() - start < 600:
        try:
            r = httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.02)
            continue
        now = time.perf_counter() - start
        first = now if first is None else first
        if len(seen) < 3 or r.status_code == 200:
            seen.append(r.json())
        if r.status_code == 200:
            _kill(proc)
            return first, now, seen
        time.sleep(0.05)
    _kill(proc)
    raise RuntimeError("stockade serve did not become ready in 600 s")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the node and its worker: a crash, no final snapshot
    proc.wait()


def _build(data: Path, lines: list[bytes], log: Path) -> int:
    """Post the events to a real node, kill it mid-work; returns the lines it did not accept."""
    store = open_store(Settings(data_dir=data))
    heads = [msgspec.json.decode(line) for line in lines]  # the key is bound to the lines' sources and kinds
    token, record = new_key(("ingest",), site="dc-demo", sources=tuple(sorted({h["source"] for h in heads})),
                            kinds=tuple(sorted({h["kind"] for h in heads})))
    store.put_key(record)
    store.close()
    port = free_port()
    proc = _serve(data, port, log)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for _ in range(1200):
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        last = len(lines) - SNAPSHOT_EVERY // 2
        rejected = _post(client, lines[:last])
        _wait_caught_up(data)  # the worker has applied everything so far (and snapshotted on the way)
        rejected += _post(client, lines[last:])
    time.sleep(0.5)  # the engine is at work on the last batches: kill it there
    _kill(proc)
    return rejected


def _post(client: httpx.Client, lines: list[bytes]) -> int:
    rejected = 0
    for i in range(0, len(lines), BATCH):
        r = client.post("/v1/events", content=b"\n".join(lines[i : i + BATCH]))
        if r.status_code != 200:
            raise RuntimeError(f"ingest failed: {r.status_code} {r.text[:200]}")
        rejected += int(r.json()["rejected"]) + int(r.json()["duplicate"])
    return rejected


def _wait_caught_up(data: Path) -> None:
    """Until the log stops growing for 5 s: the engine has written the outputs of all it was sent."""
    deadline = time.monotonic() + 1800
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        store = open_store(Settings(data_dir=data))
        seq = store.last_seq("dc-demo")
        store.close()
        if seq != last:
            last, since = seq, time.monotonic()
        elif time.monotonic() - since >= 5.0:
            return
        time.sleep(0.5)
    raise RuntimeError("the engine did not catch up in 1800 s")


def _tail_read_s(data: Path, after: int) -> tuple[float, int]:
    store = open_store(Settings(data_dir=data))
    start = time.perf_counter()
    n = sum(1 for _ in store.read("dc-demo", after))
    took = time.perf_counter() - start
    store.close()
    return took, n


def main() -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="stockade-bench-recovery-"))
    try:
        return _run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fresh_dir(path: Path) -> Path:
    (path / "sites").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "sites" / "dc-demo.yaml", path / "sites" / "dc-demo.yaml")
    return path


def _run(tmp: Path) -> dict[str, Any]:
    lines = million_lines(EVENTS)
    data = _fresh_dir(tmp / "site")
    log = tmp / "serve.log"
    began = time.perf_counter()
    not_accepted = _build(data, lines, log)
    build_s = time.perf_counter() - began
    return measure(tmp, data, log, build_s, not_accepted, len(lines))


def measure(tmp: Path, data: Path, log: Path, build_s: float, not_accepted: int, posted: int) -> dict[str, Any]:
    """Restart a crashed node's data directory ``REPEATS`` times (and an empty one, the floor)."""
    store = open_store(Settings(data_dir=data))
    total = store.last_seq("dc-demo")
    saved = store.load_snapshot("dc-demo")
    access = store.load_snapshot("dc-demo", of="access")
    store.close()
    snap_seq, snap_bytes = (saved[0], len(saved[1])) if saved else (0, 0)

    empty = _fresh_dir(tmp / "empty")
    empty_ready = statistics.median(_time_to_serving(empty, tmp / "empty.log")[1] for _ in range(REPEATS))
    runs = [_time_to_serving(data, log) for _ in range(REPEATS)]
    first = statistics.median(r[0] for r in runs)
    ready = statistics.median(r[1] for r in runs)
    progress = next((b for r in runs for b in r[2] if b.get("status") == "recovering" and b.get("of")), None)
    tail_s, tail_n = _tail_read_s(data, snap_seq)
    text = log.read_text(encoding="utf-8", errors="replace")
    replays = [int(x) for x in re.findall(r"replaying (\d+) events", text)]
    replayed = statistics.median(replays[-REPEATS:]) if replays else 0
    facts = [(int(at or 0), int(n)) for at, n in
             re.findall(r"access facts rebuilt from (?:the snapshot at (\d+) and|the whole log,) (\d+) events", text)]
    facts_at, facts_folded = facts[-1] if facts else (0, 0)
    met = "met" if ready <= TARGET_S else "**not met**"
    print_table("Recovery of a 1M-event site after SIGKILL (python -m bench recovery)", [
        ("events in the site's log", f"{total:,}", f"inputs and outputs; built over HTTP in {build_s:.0f} s, "
         f"{not_accepted:,} of {posted:,} lines not accepted"),
        ("engine snapshot", f"at {snap_seq:,}", f"{snap_bytes / 2**20:.1f} MiB of typed JSON"),
        ("log tail replayed at each restart", f"{replayed:,.0f} events", f"{tail_n:,} rows after the snapshot"),
        ("access decision point: its snapshot; the fact events folded after it at the last restart",
         f"at {access[0] if access else 0:,}", f"{facts_folded:,} events after position {facts_at:,}"),
        ("restart → first HTTP answer (/healthz 503 recovering)", f"{first:.2f} s", f"e.g. {progress}"),
        ("restart → serving (/healthz 200)", f"{ready:.2f} s", f"target ≤ {TARGET_S:.0f} s: {met}; "
         f"{ready - empty_ready:.2f} s over the floor"),
        ("baseline: serve on an empty data directory → 200", f"{empty_ready:.2f} s", "interpreter, imports, worker"),
        ("baseline: read the log tail from the store", f"{tail_s:.2f} s", f"{tail_n:,} rows, this process"),
    ])
    return {"events": total, "build_s": build_s, "not_accepted": not_accepted, "snapshot_seq": snap_seq,
            "snapshot_bytes": snap_bytes, "access_snapshot_seq": access[0] if access else 0,
            "access_facts_folded": facts_folded,
            "tail_replayed": replayed, "first_http_s": first, "ready_s": ready, "empty_ready_s": empty_ready,
            "tail_read_s": tail_s, "tail_rows": tail_n, "runs": [r[:2] for r in runs]}
