"""What a command costs around its work (start-up and stop), and how that grows with the store.

    python -m bench startup                        (a store of 200,000 events)
    python -m bench.bench_startup --events 1000000

Each row is a process of its own, timed from the exec to its exit (or to ``/healthz`` 200), the
median of ``REPEATS`` runs:

* ``python -c pass``: the interpreter alone (the floor of every row, measured in the same run);
* ``stockade ingest --help``: the command line's imports;
* ``stockade serve`` on an empty data directory → ``/healthz`` 200;
* ``stockade ingest`` of one new line into an empty store, and into a store of ``events`` events
  (the ``bench ingest`` mix, put there by ``stockade ingest`` itself, so its entity index, snapshots
  and ledger are as a node leaves them): the difference is what grows with the store (the audit of
  its rows that releases signing, :meth:`stockade.node.ledgers.Ledgers.audit_opened`);
* ``stockade serve`` restarted on that store after a clean stop → ``/healthz`` 200.

Every run works on a fresh copy of its store, at a path of its own, with the ledger's remembered
checkpoints in the bench's own directory (``STOCKADE_LEDGER_STATE_DIR``). The work done: the store's
size, and the one line accepted by every ingest run (the bench fails when it is not).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.bench_ingest import write_mix
from bench.harness import DEMO_SITE, WorkloadError, free_port, print_table
from bench.mix import event_lines

REPEATS = 3
_copies = itertools.count()


def _env(state: Path) -> dict[str, str]:
    return {**os.environ, "STOCKADE_LEDGER_STATE_DIR": str(state), "STOCKADE_SITES": "[]"}


def _empty(path: Path) -> Path:
    (path / "sites").mkdir(parents=True)
    shutil.copy(DEMO_SITE, path / "sites" / "dc-demo.yaml")
    return path


def _copy(store: Path, tmp: Path) -> Path:
    return Path(shutil.copytree(store, tmp / f"copy-{next(_copies)}"))


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise WorkloadError(f"{' '.join(argv[2:4])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return took, done.stdout


def _to_serving(data: Path, env: dict[str, str]) -> float:
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "stockade", "serve", "--data-dir", str(data), "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.perf_counter() - start < 300:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise WorkloadError(f"stockade serve on {data} exited with {proc.returncode} before serving")
            time.sleep(0.02)
        raise WorkloadError(f"stockade serve on {data} did not serve in 300 s")
    finally:  # killed: the row is the time to serving (a clean stop this soon after a start audits first)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)


def _ingest_one(store: Path, tmp: Path, env: dict[str, str], line: Path) -> float:
    took, out = _timed([sys.executable, "-m", "stockade", "ingest", str(line), "--data-dir",
                        str(_copy(store, tmp)), "--quiet"], env)
    if not out.replace(",", "").startswith("accepted 1 duplicate 0 rejected 0"):
        raise WorkloadError(f"stockade ingest of one new line answered {out.strip()!r}; "
                            "the workload expects it accepted")
    return took


def _median(run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(REPEATS))


def main(events: int = 200_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as name:
        tmp = Path(name)
        env = _env(tmp / "ledger-state")
        line = tmp / "one.ndjson"  # later than every event of the mix, so it is not late
        line.write_bytes(event_lines(1, seed=987_654, start=datetime.now(UTC) - timedelta(minutes=10))[0] + b"\n")
        empty, store = _empty(tmp / "empty"), _empty(tmp / "store")
        write_mix(tmp / "mix.ndjson", events)
        built = time.perf_counter()
        _, out = _timed([sys.executable, "-m", "stockade", "ingest", str(tmp / "mix.ndjson"), "--data-dir", str(store),
                         "--quiet"], env)
        built = time.perf_counter() - built
        if not out.replace(",", "").startswith(f"accepted {events} duplicate 0 rejected 0"):
            raise WorkloadError(f"building the store answered {out.strip()!r}; "
                                f"the workload expects {events:,} accepted")

        floor = _median(lambda: _timed([sys.executable, "-c", "pass"], env)[0])
        help_s = _median(lambda: _timed([sys.executable, "-m", "stockade", "ingest", "--help"], env)[0])
        serve_empty = _median(lambda: _to_serving(_copy(empty, tmp), env))
        one_empty = _median(lambda: _ingest_one(empty, tmp, env, line))
        one_store = _median(lambda: _ingest_one(store, tmp, env, line))
        restart = _median(lambda: _to_serving(_copy(store, tmp), env))
    grows = (one_store - one_empty) / events * 1e6
    print_table(f"Start-up and stop, a store of {events:,} events (python -m bench startup)", [
        ("baseline: python -c pass", f"{floor:.2f} s", "the interpreter alone"),
        ("stockade ingest --help", f"{help_s:.2f} s", "the command line's imports"),
        ("stockade serve, empty data directory → /healthz 200", f"{serve_empty:.2f} s", "imports, node, engine worker"),
        ("stockade ingest of 1 new line, empty store", f"{one_empty:.2f} s", "start to exit; accepted 1, rejected 0"),
        (f"stockade ingest of 1 new line, {events:,}-event store", f"{one_store:.2f} s",
         f"accepted 1, rejected 0; {grows:.2f} µs per event of the store over the empty one "
         f"(most of it the audit that releases signing)"),
        (f"stockade serve restarted on the {events:,}-event store → /healthz 200", f"{restart:.2f} s",
         f"after a clean stop; the store built by stockade ingest in {built:.0f} s, {events:,} accepted"),
    ])
    return {"events": events, "build_s": built, "python_s": floor, "help_s": help_s, "serve_empty_s": serve_empty,
            "ingest_one_empty_s": one_empty, "ingest_one_store_s": one_store, "grows_us_per_event": grows,
            "restart_s": restart}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    main(args.events)
