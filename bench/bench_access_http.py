"""Access decisions over HTTP on loopback (issue 6): ``POST /v1/access/decide`` against a real
``stockade serve`` process, paced at 500 requests/s from one keep-alive client, every decision
logged to the site's ledger as in production. Target: p99 ≤ 10 ms.

    python -m bench access_http [--seconds S]
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.harness import DEMO_SITE, demo_data_dir, percentile, print_table, served
from stockade.site import load_site

DOORS = ("D-LOBBY", "D-TURNSTILE", "D-FLOOR", "D-PACK", "D-DOCKIN", "D-HV", "D-OFFICE")


def main(seconds: float = 20, rate: float = 500) -> dict[str, Any]:
    rnd = random.Random(3)
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as d:
        data = Path(d)
        token = demo_data_dir(data, ("pep",), "bench controller")
        credentials = [c for p in load_site(DEMO_SITE).people for c in p.credentials]
        latencies: list[float] = []
        results: dict[str, int] = {}
        with served(data) as url, httpx.Client(base_url=url,
                                               headers={"Authorization": f"Bearer {token}"}) as client:
            for _ in range(200):  # warm up
                client.post("/v1/access/decide", json={"site": "dc-demo", "door": "D-FLOOR",
                                                       "credential": credentials[0],
                                                       "factors": [{"type": "badge"}]})
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
                results[r.json()["result"]] = results.get(r.json()["result"], 0) + 1
                next_at += interval
                time.sleep(max(0.0, next_at - time.perf_counter()))
    achieved = len(latencies) / seconds
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    figures = {"requests": len(latencies), "rate_rps": achieved, "p50_ms": p50, "p99_ms": p99,
               "max_ms": max(latencies) * 1000, "results": results}
    print_table(f"POST /v1/access/decide over loopback, {rate:.0f} requests/s for {seconds:.0f} s", [
        ("achieved rate", f"{achieved:,.0f} req/s", f"{len(latencies):,} decisions, each logged"),
        ("latency p50", f"{p50:.2f} ms", ", ".join(f"{k} {v}" for k, v in sorted(results.items()))),
        ("latency p99", f"{p99:.2f} ms", "target ≤ 10 ms"),
        ("latency max", f"{max(latencies) * 1000:.2f} ms", ""),
    ])
    return figures
