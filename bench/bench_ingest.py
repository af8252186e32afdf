"""Ingest: decode and validate; embedded ingest to committed store (in process and over HTTP);
and, in the same run, the bare baseline — the same events decoded with msgspec and written with
one plain ``executemany`` into SQLite — so the ingest figure is also a ratio to the baseline.

Then the command line: ``stockade ingest FILE`` of a generated file (200,000 lines; ``--cli-events``
for more), its wall time from start to exit (start-up, ingest, detection beside it) and its peak
memory, beside the embedded ingest of the same file in a fresh process (the ingest call alone, no
detection) and that process's peak memory.

    python -m bench ingest
    python -m bench.bench_ingest [--events N] [--cli-events 1000000] [--no-http]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import msgspec

from bench.harness import Work, WorkloadError, in_fresh_process, median_rate, peak_rss_mib, print_table, served
from bench.mix import MIX, SOURCES, event_lines
from stockade.events import Event, decode_event
from stockade.node.ingest import Principal
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "examples" / "sites" / "dc-demo.yaml"
BATCH = 1000


def _fresh_node(tmp: Path) -> Node:
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "sites").mkdir(parents=True)
    shutil.copy(DEMO_SITE, tmp / "sites" / "dc-demo.yaml")
    return Node.open(Settings(data_dir=tmp))


def bench_decode(lines: list[bytes]) -> float:
    def work() -> int:
        for line in lines:
            decode_event(line)
        return len(lines)

    return median_rate(work)[0]


def bench_embedded(lines: list[bytes], tmp: Path) -> tuple[float, Work]:
    def work() -> tuple[int, Work]:
        node = _fresh_node(tmp)
        start = time.perf_counter()
        reports = [node.ingestor.ingest_lines(lines[i : i + BATCH], Principal.operator())
                   for i in range(0, len(lines), BATCH)]
        elapsed = time.perf_counter() - start
        node.stop()
        done = Work()
        for report in reports:  # counted outside the timed part
            done.add(report.results)
        return (int(len(lines) / elapsed * 1.0) if elapsed else 0), done.expect("embedded ingest",
                                                                                 accepted=len(lines))

    # work() returns a rate here (setup excluded); median over runs
    runs = sorted((work() for _ in range(5)), key=lambda r: r[0])
    rate, done = runs[len(runs) // 2]
    return float(rate), done


def bench_baseline(lines: list[bytes], tmp: Path) -> float:
    decoder = msgspec.json.Decoder(Event)

    def work() -> int:
        path = tmp / "baseline.db"
        for p in tmp.glob("baseline.db*"):
            p.unlink()
        tmp.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE events (site TEXT, seq INTEGER, id TEXT, kind TEXT, entry BLOB)")
        start = time.perf_counter()
        rows = []
        for seq, line in enumerate(lines, 1):
            ev = decoder.decode(line)
            rows.append((ev.site, seq, ev.id, ev.kind, line))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO events VALUES (?,?,?,?,?)", rows)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return int(len(lines) / elapsed)

    rates = sorted(work() for _ in range(5))
    return float(rates[len(rates) // 2])


def bench_http(lines: list[bytes], tmp: Path) -> tuple[float, Work]:
    """POST /v1/events to a real `stockade serve` process, one keep-alive client, batches of 1,000."""
    node = _fresh_node(tmp)
    token, record = new_key(("ingest",), site="dc-demo", sources=tuple(sorted(set(SOURCES.values()))),
                            kinds=tuple(kind for kind, _ in MIX))
    node.store.put_key(record)
    node.stop()
    bodies = [b"\n".join(lines[i : i + BATCH]) for i in range(0, len(lines), BATCH)]
    rates = []
    with served(tmp) as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                          timeout=60) as c:
        for attempt in range(3):
            answers = []
            start = time.perf_counter()
            for body in bodies:
                # distinct ids per attempt so every run ingests, not deduplicates
                r = c.post("/v1/events", content=body.replace(b'"id":"ev-', f'"id":"r{attempt}-'.encode()))
                r.raise_for_status()
                answers.append(r)
            rates.append(len(lines) / (time.perf_counter() - start))
            done = Work()
            for answer in answers:  # counted outside the timed part
                done.add_answer(answer.json())
            done.expect(f"HTTP ingest, run {attempt + 1}", accepted=len(lines))
    return sorted(rates)[1], done


def write_mix(path: Path, n: int) -> None:
    """``n`` lines of the mix in a file, made 50,000 at a time (distinct ids, times in order)."""
    t0 = datetime.now(UTC) - timedelta(hours=1) - timedelta(milliseconds=10 * n)
    with path.open("wb") as f:
        for k in range(0, n, 50_000):
            chunk = event_lines(min(50_000, n - k), seed=k + 1, start=t0 + timedelta(milliseconds=10 * k))
            f.write(b"\n".join(chunk) + b"\n")


def embedded_file(path: str, data_dir: str) -> tuple[float, int, int, float]:
    """In a fresh process: the file read and ingested in batches of ``BATCH`` (the call alone timed,
    no detection: each batch's delivery is taken off the bus and dropped, untimed, as the engine
    would take it); (events/s, accepted, rejected, peak RSS MiB)."""
    from stockade.node.tuning import tune_gc

    tune_gc()
    node = _fresh_node(Path(data_dir))
    accepted = rejected = 0
    elapsed = 0.0
    with open(path, "rb") as f:
        batch: list[bytes] = []
        for line in f:
            batch.append(line.rstrip(b"\n"))
            if len(batch) == BATCH:
                start = time.perf_counter()
                report = node.ingestor.ingest_lines(batch, Principal.operator())
                elapsed += time.perf_counter() - start
                accepted, rejected, batch = accepted + report.accepted, rejected + report.rejected, []
                while node.bus.get(timeout=0.0) is not None:
                    pass
        if batch:
            start = time.perf_counter()
            report = node.ingestor.ingest_lines(batch, Principal.operator())
            elapsed += time.perf_counter() - start
            accepted, rejected = accepted + report.accepted, rejected + report.rejected
    node.stop()
    return (accepted + rejected) / elapsed, accepted, rejected, peak_rss_mib()


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (the command's engine worker, its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue  # ended meanwhile
    return found


def run_watching_peak(argv: list[str], env: dict[str, str], stdout: IO[bytes], stderr: IO[bytes]
                      ) -> tuple[int, float, float]:
    """Run ``argv`` to its end; (exit code, wall seconds, peak resident MiB of the process or of one
    it started, whichever is larger). The peak is each one's ``VmHWM``, read every 20 ms while it
    runs: ``wait4``'s ``ru_maxrss`` would start from this runner's own size (Linux carries it over
    ``exec``)."""
    peaks: dict[int, float] = {}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env)
    while proc.poll() is None:
        for pid in (proc.pid, *_children(proc.pid)):
            try:
                peaks[pid] = max(peaks.get(pid, 0.0), peak_rss_mib(pid))
            except (OSError, KeyError):
                continue  # ended between the listing and the read, or a zombie
        time.sleep(0.02)
    return proc.returncode, time.perf_counter() - start, max(peaks.values(), default=0.0)


def bench_cli(n: int, tmp: Path) -> dict[str, Any]:
    """``stockade ingest`` of an ``n``-line file, and the embedded ingest of the same file, each in a
    process of its own: their rates and peak memory."""
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "mix.ndjson"
    write_mix(path, n)
    data = tmp / "cli-data"
    _fresh_node(data).stop()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with (tmp / "cli.out").open("wb") as stdout, (tmp / "cli.err").open("wb") as stderr:
        code, wall, peak = run_watching_peak([sys.executable, "-m", "stockade", "ingest", str(path), "--data-dir",
                                              str(data), "--quiet"], env, stdout, stderr)
    out, errors = (tmp / "cli.out").read_bytes(), (tmp / "cli.err").read_bytes()
    words = out.decode().replace(",", "").split()
    if code != 0 or words[:1] != ["accepted"]:
        raise WorkloadError(f"stockade ingest failed ({code}): {out.decode()} {errors.decode()[-2000:]}")
    cli = Work(accepted=int(words[1]), duplicate=int(words[3]), rejected=int(words[5]))
    cli.expect("stockade ingest", accepted=n)
    rate, accepted, rejected, rss = in_fresh_process(embedded_file, str(path), str(tmp / "embedded-data"))
    Work(accepted=accepted, rejected=rejected).expect("embedded ingest of the file", accepted=n)
    return {"cli_events": n, "cli_eps": n / wall, "cli_wall_s": wall, "cli_peak_rss_mib": peak,
            "cli_accepted": cli.accepted, "cli_rejected": cli.rejected, "file_embedded_eps": rate,
            "file_embedded_peak_rss_mib": rss, "file_bytes": path.stat().st_size}


def main(events: int = 50_000, cli_events: int = 200_000, http: bool = True) -> dict[str, Any]:
    lines = event_lines(events)
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as d:
        tmp = Path(d)
        decode = bench_decode(lines)
        baseline = bench_baseline(lines, tmp / "baseline")
        embedded, embedded_work = bench_embedded(lines, tmp / "embedded")
        http_rate, http_work = bench_http(lines, tmp / "http") if http else (0.0, Work())
        cli = bench_cli(cli_events, tmp / "cli") if cli_events else {}
    figures = {
        "events": events, "decode_eps": decode, "embedded_ingest_eps": embedded,
        "http_ingest_eps": http_rate, "baseline_eps": baseline, "embedded_vs_baseline": embedded / baseline,
        "embedded_accepted": embedded_work.accepted, "embedded_rejected": embedded_work.rejected,
        "http_accepted": http_work.accepted, "http_rejected": http_work.rejected, **cli,
    }
    rows = [
        ("decode + validate", f"{decode:,.0f} ev/s", "msgspec typed decode, RFC 3339, patterns"),
        ("embedded ingest → committed store", f"{embedded:,.0f} ev/s",
         f"validate, RFC 8785, dedupe, sequence, SQLite WAL FULL commit per batch; {embedded_work.note()}"),
        ("bare baseline", f"{baseline:,.0f} ev/s", "msgspec decode + one executemany into SQLite"),
        ("embedded / baseline", f"{embedded / baseline:.0%}", "target ≥ 50%"),
    ]
    if http:
        rows.insert(2, ("HTTP ingest on loopback", f"{http_rate:,.0f} ev/s",
                        f"POST /v1/events to stockade serve, one client; {http_work.note()}"))
    if cli:
        rows += [
            (f"stockade ingest FILE ({cli_events:,} lines)", f"{cli['cli_eps']:,.0f} ev/s",
             f"start to exit ({cli['cli_wall_s']:.1f} s: start-up, ingest, detection beside it); peak RSS "
             f"{cli['cli_peak_rss_mib']:,.0f} MiB; accepted {cli['cli_accepted']:,}, rejected {cli['cli_rejected']:,}"),
            ("embedded ingest of the same file", f"{cli['file_embedded_eps']:,.0f} ev/s",
             f"fresh process, batches of {BATCH}, the ingest call alone; peak RSS "
             f"{cli['file_embedded_peak_rss_mib']:,.0f} MiB"),
        ]
    print_table(f"Ingest, {events:,} events of a realistic mix, batches of {BATCH} (median of runs)", rows)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--cli-events", type=int, default=200_000, help="lines of the command-line run; 0: none")
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    from stockade.node.tuning import tune_gc

    tune_gc()  # the node's process settings, as `python -m bench ingest` and `stockade serve` run
    main(args.events, args.cli_events, not args.no_http)
