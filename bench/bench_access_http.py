"""Access decisions over HTTP on loopback (issues 6 and 11.8): ``POST /v1/access/decide`` against a
real ``stockade serve`` process, paced at 500 requests/s from one keep-alive client, every decision
logged to the site's ledger as in production; first on an idle node (the same run's baseline), then
while the same node ingests ``load`` events/s (``POST /v1/events`` in batches of ``load_batch``,
from another process, so the load shares the node and not the measuring client's interpreter).
Target: p99 ≤ 10 ms, idle and loaded.

    python -m bench access_http [--seconds S] [--load EVENTS_PER_S] [--load-batch N]
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.harness import DEMO_SITE, Work, demo_data_dir, percentile, print_table, served
from bench.mix import MIX, SOURCES, event_lines
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.site import load_site

DOORS = ("D-LOBBY", "D-TURNSTILE", "D-FLOOR", "D-PACK", "D-DOCKIN", "D-HV", "D-OFFICE")


def _ingest_key(data: Path) -> str:
    node = Node.open(Settings(data_dir=data))
    try:
        token, record = new_key(("ingest",), site="dc-demo", sources=tuple(sorted(set(SOURCES.values()))),
                                kinds=tuple(kind for kind, _ in MIX), label="bench load")
        node.store.put_key(record)
    finally:
        node.stop()
    return token


def load_process(url: str, token: str, rate: float, batch: int, seconds: float, answers: Any) -> None:
    """Post ``rate`` events/s in batches of ``batch`` for ``seconds`` (a spawned process); puts the
    (accepted, rejected, duplicate, lateness of the pacing in s) it did on ``answers``."""
    lines = event_lines(int(rate * seconds) + batch, seed=11)
    done = Work()
    behind = 0.0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        interval = batch / rate
        next_at = time.perf_counter()
        for i in range(0, int(rate * seconds), batch):
            r = client.post("/v1/events", content=b"\n".join(lines[i : i + batch]))
            r.raise_for_status()
            done.add_answer(r.json())
            next_at += interval
            behind = max(behind, time.perf_counter() - next_at)
            time.sleep(max(0.0, next_at - time.perf_counter()))
    answers.put((done.accepted, done.rejected, done.duplicate, behind))


def paced_decisions(client: httpx.Client, credentials: list[str], seconds: float, rate: float,
                    rnd: random.Random, classify: Callable[[dict[str, Any]], str] = lambda a: str(a["result"]),
                    ) -> tuple[list[float], dict[str, int]]:
    """``rate`` decisions a second for ``seconds`` at random doors and credentials: each one's latency,
    and how many answers fell in each ``classify`` class (the result, by default)."""
    latencies: list[float] = []
    results: dict[str, int] = {}
    interval = 1 / rate
    next_at = time.perf_counter()
    end = next_at + seconds
    while next_at < end:
        body = {"site": "dc-demo", "door": rnd.choice(DOORS), "credential": rnd.choice(credentials),
                "factors": [{"type": "badge"}]}
        start = time.perf_counter()
        r = client.post("/v1/access/decide", json=body)
        latencies.append(time.perf_counter() - start)
        r.raise_for_status()
        key = classify(r.json())
        results[key] = results.get(key, 0) + 1
        next_at += interval
        time.sleep(max(0.0, next_at - time.perf_counter()))
    return latencies, results


def _row(name: str, latencies: list[float], results: dict[str, int], seconds: float) -> tuple[str, str, str]:
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return (name, f"p50 {p50:.2f} / p99 {p99:.2f} ms",
            f"max {max(latencies) * 1000:.1f} ms; {len(latencies) / seconds:,.0f} req/s; "
            + ", ".join(f"{k} {v}" for k, v in sorted(results.items())))


def main(seconds: float = 20, rate: float = 500, load: float = 4000, load_batch: int = 250) -> dict[str, Any]:
    rnd = random.Random(3)
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as d:
        data = Path(d)
        token = demo_data_dir(data, ("pep",), "bench controller")
        ingest_token = _ingest_key(data)
        credentials = [c for p in load_site(DEMO_SITE).people for c in p.credentials]
        with served(data) as url, httpx.Client(base_url=url,
                                               headers={"Authorization": f"Bearer {token}"}) as client:
            for _ in range(200):  # warm up
                client.post("/v1/access/decide", json={"site": "dc-demo", "door": "D-FLOOR",
                                                       "credential": credentials[0],
                                                       "factors": [{"type": "badge"}]})
            idle, idle_results = paced_decisions(client, credentials, seconds, rate, rnd)
            answers = context.Queue()
            loader = context.Process(target=load_process, args=(url, ingest_token, load, load_batch, seconds + 4,
                                                                answers))
            loader.start()
            time.sleep(2.0)  # the load reaches its pace (and the loader its imports) before we measure
            loaded, loaded_results = paced_decisions(client, credentials, seconds, rate, rnd)
            accepted, rejected, duplicate, behind = answers.get(timeout=600)
            loader.join(timeout=60)
    expected = -(-int(load * (seconds + 4)) // load_batch) * load_batch  # whole batches: the last one rounds up
    load_work = Work(accepted, rejected, duplicate).expect("the ingest load", accepted=expected)
    figures: dict[str, Any] = {"requests": len(idle), "rate_rps": len(idle) / seconds}
    for name, samples, results in (("idle", idle, idle_results), ("loaded", loaded, loaded_results)):
        figures |= {f"{name}_p50_ms": percentile(samples, 50) * 1000, f"{name}_p99_ms": percentile(samples, 99) * 1000,
                    f"{name}_max_ms": max(samples) * 1000, f"{name}_results": results}
    figures |= {"load_eps": load, "load_batch": load_batch, "load_accepted": load_work.accepted,
                "load_rejected": load_work.rejected, "load_behind_s": behind}
    # the idle figure is also the README's older one under its old keys
    figures |= {"p50_ms": figures["idle_p50_ms"], "p99_ms": figures["idle_p99_ms"]}
    print_table(f"POST /v1/access/decide over loopback, {rate:.0f} requests/s for {seconds:.0f} s, each logged", [
        _row("idle node (baseline, same run)", idle, idle_results, seconds),
        _row(f"while the node ingests {load:,.0f} ev/s", loaded, loaded_results, seconds),
        ("the ingest load", f"{load:,.0f} ev/s in batches of {load_batch}",
         f"{load_work.note()}; pacing at most {behind * 1000:.0f} ms behind; target p99 ≤ 10 ms both"),
    ])
    return figures


def _arg(name: str, default: float) -> float:
    return float(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


if __name__ == "__main__":
    main(_arg("--seconds", 20), load=_arg("--load", 4000), load_batch=int(_arg("--load-batch", 250)))
