"""Access decisions in process: latency of ``DecisionPoint.decide`` with the default pack and the
demo site (target p99 <= 1 ms), for the common path, the step-up path (a second Cedar evaluation)
and a mixed load of badge presentations over a week; plus building and encoding the ledger event.
The mixed load is timed twice: back to back (the interpreter's and the CPU's caches hot) and paced
at the rate ``access_http`` sends (``PACED_RATE``, a sleep between decisions, as requests arrive at a
node): on a shared machine a paced decision starts with caches other work has used, and costs more.

    python -m bench access [--requests N]

The HTTP loopback figure belongs with the node's API benchmark.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.harness import percentile, print_table
from stockade.access.pack import PolicyStore
from stockade.access.pdp import DecisionPoint
from stockade.access.request import AccessRequest, Presented
from stockade.events import canonical_event
from stockade.site import SiteConfig, load_site

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "examples" / "sites" / "dc-demo.yaml"
PACED_RATE = 500.0
"""Decisions a second in the paced run: ``bench access_http``'s rate."""
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1)))
FACTOR_SETS: tuple[tuple[Presented, ...], ...] = (
    (Presented("badge"),),
    (Presented("badge"),),
    (Presented("badge"), Presented("pin", verified=True)),
    (Presented("badge"), Presented("fingerprint", score=0.96)),
    (Presented("mobile"),),
    (Presented("badge"), Presented("face", score=0.7)),
)


def mixed_requests(site: SiteConfig, n: int, seed: int = 7) -> list[AccessRequest]:
    """Badge presentations spread over a week, every holder and door, all factor mixes."""
    rng = random.Random(seed)
    creds = sorted(site.person_by_credential)
    doors = [d.id for d in site.doors]
    return [
        AccessRequest(site=site.site, door=rng.choice(doors), credential=rng.choice(creds),
                      time=MONDAY_9 + timedelta(minutes=rng.randrange(7 * 24 * 60)),
                      direction=rng.choice(("in", "in", "out")), factors=rng.choice(FACTOR_SETS))
        for _ in range(n)
    ]


def timed(fn: Callable[[AccessRequest], object], requests: Sequence[AccessRequest]) -> list[float]:
    """Microseconds per call."""
    out = []
    clock = time.perf_counter_ns
    for r in requests:
        start = clock()
        fn(r)
        out.append((clock() - start) / 1000)
    return out


def paced(fn: Callable[[AccessRequest], object], requests: Sequence[AccessRequest],
          rate: float = PACED_RATE) -> list[float]:
    """Microseconds per call, ``rate`` calls a second (the wait between them is not timed)."""
    out = []
    clock = time.perf_counter_ns
    interval = 1 / rate
    next_at = time.perf_counter()
    for r in requests:
        start = clock()
        fn(r)
        out.append((clock() - start) / 1000)
        next_at += interval
        time.sleep(max(0.0, next_at - time.perf_counter()))
    return out


def _row(name: str, samples: list[float]) -> tuple[str, str, str]:
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    return (name, f"p50 {p50:,.0f} µs", f"p99 {p99:,.0f} µs · max {max(samples):,.0f} µs · "
            f"{1e6 / (sum(samples) / len(samples)):,.0f}/s")


def main(n: int = 20_000) -> dict[str, Any]:
    site = load_site(DEMO_SITE)
    pdp = DecisionPoint(site, PolicyStore())
    common = AccessRequest(site=site.site, door="D-FLOOR", credential="badge:1001", time=MONDAY_9,
                           factors=(Presented("badge"),))
    step_up = AccessRequest(site=site.site, door="D-HV", credential="badge:1020", time=MONDAY_9,
                            factors=(Presented("badge"),))
    mixed = mixed_requests(site, n)
    for r in mixed[:2000]:  # warm up: caches, allocator, branch predictors
        pdp.decide(r)

    def decide_and_encode(r: AccessRequest) -> bytes:
        return canonical_event(pdp.to_event(r, pdp.decide(r)))

    runs = {
        "allow (role-zone)": timed(pdp.decide, [common] * (n // 4)),
        "step_up (hv-cage, 2 evaluations)": timed(pdp.decide, [step_up] * (n // 4)),
        "mixed week of presentations": timed(pdp.decide, mixed),
        f"mixed week, paced at {PACED_RATE:,.0f}/s": paced(pdp.decide, mixed[: n // 4]),
        "mixed + decision event encoded": timed(decide_and_encode, mixed[: n // 2]),
    }
    results = Counter(pdp.decide(r).result for r in mixed)
    print_table(f"Access decisions in process ({len(pdp.pack.ids)} policies, {len(site.people)} people)",
                [_row(k, v) for k, v in runs.items()])
    print(f"mixed results: {dict(results)}; target: p99 <= 1,000 µs in process")
    figures: dict[str, Any] = {}
    for name, samples in runs.items():
        key = name.split(" (")[0].split(",")[0] + ("_paced" if "paced" in name else "")
        key = key.replace(" ", "_").replace("+", "and")
        figures[f"{key}_p50_us"] = round(percentile(samples, 50), 1)
        figures[f"{key}_p99_us"] = round(percentile(samples, 99), 1)
    figures["mixed_results"] = dict(results)
    figures["policy_hash"] = pdp.pack.hash
    return figures


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 20_000
    main(count)
