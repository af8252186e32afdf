"""Oversized unauthenticated bodies against a real ``stockade serve`` (issue 18.6).

Four attackers each announce a 256 MiB body to ``POST /v1/access/decide``
with no key and push bytes as fast as the node takes them (and, cut off,
connect again), while a door
controller asks for decisions. Printed: what the attackers got through, the
node's memory, and decision latency during the attack beside the same node's
latency with no attack (the same-run baseline).

    python -m bench body_attack
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.harness import demo_data_dir, peak_rss_mib, percentile, print_table, proc_mib, served_process

BODY = 256 * 1024 * 1024
ATTACKERS = 4


def attack(port: int, sent: list[int], stop: threading.Event, again: bool) -> None:
    """Announce a 256 MiB body with no key and send until the node hangs up; ``again``: reconnect until stopped."""
    chunk = b"[" * (1024 * 1024)
    while not stop.is_set():
        total = 0
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"POST /v1/access/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: %d\r\n\r\n" % BODY)
                while total < BODY and not stop.is_set():
                    s.sendall(chunk)
                    total += len(chunk)
        except OSError:
            pass  # the node closed the connection: what we want
        sent.append(total)
        if not again:
            return


def decisions(client: httpx.Client, n: int) -> list[float]:
    body = {"site": "dc-demo", "door": "D-FLOOR", "credential": "badge:1001", "factors": [{"type": "badge"}]}
    out = []
    for _ in range(n):
        start = time.perf_counter()
        client.post("/v1/access/decide", json=body).raise_for_status()
        out.append(time.perf_counter() - start)
        time.sleep(0.002)
    return out


def main(n: int = 300) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as d:
        data = Path(d)
        token = demo_data_dir(data, ("pep",), "bench controller")
        auth = {"Authorization": f"Bearer {token}"}
        with served_process(data) as (url, pid), httpx.Client(base_url=url, headers=auth, timeout=30) as client:
            decisions(client, 100)  # warm up
            rss_before = proc_mib(pid)
            baseline = decisions(client, n)
            port = int(url.rsplit(":", 1)[1])
            phases = {}
            for again in (False, True):
                sent: list[int] = []
                stop = threading.Event()
                threads = [threading.Thread(target=attack, args=(port, sent, stop, again)) for _ in range(ATTACKERS)]
                for t in threads:
                    t.start()
                during = decisions(client, n)
                stop.set()
                for t in threads:
                    t.join(60)
                phases[again] = (sent, during)
            peak = peak_rss_mib(pid)
    (once, during), (flood, flooded) = phases[False], phases[True]
    figures = {
        "attackers": ATTACKERS, "announced_mib_each": BODY / 2**20,
        "sent_mib_each": [x / 2**20 for x in once], "flood_bodies": len(flood),
        "flood_max_sent_mib": max(flood) / 2**20, "rss_before_mib": rss_before, "peak_rss_mib": peak,
        "baseline_p50_ms": percentile(baseline, 50) * 1000, "baseline_p99_ms": percentile(baseline, 99) * 1000,
        "attack_p50_ms": percentile(during, 50) * 1000, "attack_p99_ms": percentile(during, 99) * 1000,
        "flood_p50_ms": percentile(flooded, 50) * 1000, "flood_p99_ms": percentile(flooded, 99) * 1000,
    }
    print_table(f"{ATTACKERS} unauthenticated 256 MiB bodies to POST /v1/access/decide, {n} decisions each phase", [
        ("sent before the node hung up", ", ".join(f"{x / 2**20:.0f}" for x in once) + " MiB",
         "of 256 MiB announced (what the socket buffers took)"),
        ("node memory", f"{rss_before:.0f} → peak {peak:.0f} MiB", "VmRSS before, VmHWM after"),
        ("decision p50", f"{figures['baseline_p50_ms']:.2f} → {figures['attack_p50_ms']:.2f} ms",
         "no attack → under attack"),
        ("decision p99", f"{figures['baseline_p99_ms']:.2f} → {figures['attack_p99_ms']:.2f} ms",
         "no attack → under attack"),
        ("flood: bodies refused", f"{len(flood):,}", f"the {ATTACKERS} attackers reconnecting without pause "
                                                     f"(at most {max(flood) / 2**20:.0f} MiB each)"),
        ("flood: decision p50 / p99", f"{figures['flood_p50_ms']:.2f} / {figures['flood_p99_ms']:.2f} ms",
         "a connection flood: rate limiting is the proxy's job"),
    ])
    return figures
