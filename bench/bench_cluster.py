"""Cluster mode (issue 17, Scale): throughput with 1, 2 and 4 workers and 1–2 API nodes, the cost of a
partition, and failover time, on this machine — against the embedded node on the same events, same run.

* **throughput**: ``SITES`` sites (the demo site under other ids, one per partition of 8), ``EVENTS``
  events of the realistic mix per site and run, POSTed in batches of 500 by 4 client threads spread
  over the API nodes. Rate = events / time from the first POST to the last event committed in
  PostgreSQL (the API node answers after JetStream's ack; the worker commits after). Median of
  ``REPEATS`` runs after a warm-up; CPU seconds per role over the runs say where it saturates.
  Baselines, same events, same client: ``stockade serve`` (the embedded node) on SQLite and on PostgreSQL.
* **cost of a partition**: one worker owning 1 and then ``COST_SITES`` sites (one partition): its
  memory, its and the NATS server's CPU while idle, the JetStream consumers.
* **failover** (``--failover N``): 3 workers, 4 sites, ``lease_s`` 6 (the default); N times: SIGKILL the
  worker owning a site, POST the site's next event, time until another worker has committed it.

    python -m bench cluster                  # STOCKADE_BENCH_CLUSTER_{SITES,EVENTS,REPEATS} for bigger runs
    python -m bench cluster --failover 10
"""

from __future__ import annotations

import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.cluster_rig import (
    Rig,
    cpu_s,
    data_dir,
    load_average,
    rig,
    site_ids,
    throwaway_db,
    tree_cpu_s,
    until,
)
from bench.harness import Work, free_port, print_table, proc_mib
from bench.mix import event_lines
from stockade.connectors.nats.mapping import lease_key, partition_of

SITES = int(os.environ.get("STOCKADE_BENCH_CLUSTER_SITES", "8"))
EVENTS = int(os.environ.get("STOCKADE_BENCH_CLUSTER_EVENTS", "1000"))
REPEATS = int(os.environ.get("STOCKADE_BENCH_CLUSTER_REPEATS", "3"))
COST_SITES = int(os.environ.get("STOCKADE_BENCH_CLUSTER_COST_SITES", "16"))
CONFIGS = [tuple(int(n) for n in c.split("x")) for c in  # (API nodes, workers)
           os.environ.get("STOCKADE_BENCH_CLUSTER_CONFIGS", "1x1,1x2,1x4,2x2,2x4").split(",")]
PARTITIONS = 8
BATCH = 500
CLIENTS = 4
IDLE_S = 5.0  # the window over which idle CPU is measured (a measurement, not a wait for something)
T0 = datetime.now(UTC) - timedelta(hours=6)


Body = tuple[str, bytes]  # a site, and a POST body of its events


def bodies(sites: Sequence[str], per_site: int, seed: int) -> list[Body]:
    """One run's POST bodies: ``per_site`` events of each site, batches of one site, sites interleaved."""
    start = T0 + timedelta(milliseconds=10 * per_site * seed)  # each run later than the last: none late
    per = {s: event_lines(per_site, site=s, seed=seed, start=start) for s in sites}
    out = []
    for i in range(0, per_site, BATCH):
        out.extend((s, b"\n".join(per[s][i : i + BATCH])) for s in sites)
    return out


def post_all(urls: Sequence[str], tokens: dict[str, str], work: Sequence[Body]) -> tuple[float, Work]:
    local = threading.local()

    def post(i: int) -> dict[str, Any]:
        if not hasattr(local, "clients"):
            local.clients = [httpx.Client(base_url=u, timeout=120) for u in urls]
        site, body = work[i]
        answer = local.clients[i % len(urls)].post("/v1/events", content=body, headers={
            "Authorization": f"Bearer {tokens[site]}", "Content-Type": "application/x-ndjson"})
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(post, range(len(work))))
    elapsed = time.perf_counter() - start
    done = Work()
    for a in answers:
        done.add_answer(a)
    return elapsed, done


def committed(r: Rig, seed: int) -> int:
    row = r.sql("SELECT count(*) FROM events WHERE id >= %s AND id < %s", f"ev-{seed}-", f"ev-{seed}.")
    return int(str(row[0][0]))


def self_cpu_s() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def measure_cluster(apis: int, workers: int, tmp: Path) -> dict[str, Any]:
    sites = site_ids(SITES)
    with rig(tmp / f"c{apis}x{workers}", sites, PARTITIONS) as (r, token):
        for w in range(workers):
            r.start_worker(f"w{w + 1}")
        urls = [r.start_api() for _ in range(apis)]
        until("the workers share the partitions", lambda: balanced(r, sites, workers))
        per_worker = {w: sum(1 for _, o in r.sql("SELECT site, owner FROM site_fence") if o == w) for w in r.workers}
        warm = bodies(sites, 20, 900)
        post_all(urls, token, warm)
        until("the warm-up is committed", lambda: committed(r, 900) == 20 * len(sites))
        runs = []
        total = EVENTS * len(sites)
        for seed in range(1, REPEATS + 1):
            work = bodies(sites, EVENTS, seed)
            pids = {"api": [p.pid for _, p in r.apis], "worker": [p.pid for p in r.workers.values()],
                    "nats": [r.nats.pid] if r.nats else [], "pg": r.pg_backends()}
            before = {role: sum(cpu_s(p) for p in ps) for role, ps in pids.items()}
            client_before = self_cpu_s()
            start = time.perf_counter()
            acked_s, done = post_all(urls, token, work)
            until("every event committed", lambda seed=seed: committed(r, seed) >= total)
            wall = time.perf_counter() - start
            done.expect(f"cluster {apis} API × {workers} workers", accepted=total)
            cpu = {role: (sum(cpu_s(p) for p in ps) - before[role]) / wall for role, ps in pids.items()}
            cpu["client"] = (self_cpu_s() - client_before) / wall
            runs.append({"rate": total / wall, "ack_rate": total / acked_s, "cores": cpu, "work": done,
                         "load": load_average()})
        best = sorted(runs, key=lambda x: x["rate"])[len(runs) // 2]
        return {"apis": apis, "workers": workers, "rate": best["rate"], "ack_rate": best["ack_rate"],
                "rates": [x["rate"] for x in runs], "cores": best["cores"], "sites_per_worker": per_worker,
                "load_average": [x["load"] for x in runs],
                "accepted": best["work"].accepted, "rejected": best["work"].rejected}


def balanced(r: Rig, sites: Sequence[str], workers: int) -> bool:
    leases = r.leases()
    owners = [v for k, v in leases.items() if k.startswith("partition.")]
    share = -(-PARTITIONS // workers)
    return (sum(k.startswith("worker.") for k in leases) == workers and len(owners) == PARTITIONS
            and max(owners.count(w) for w in set(owners)) <= share and r.settled(list(sites)))


def measure_embedded(tmp: Path, on_postgres: bool) -> dict[str, Any]:
    sites = site_ids(SITES)
    root = tmp / ("embedded-pg" if on_postgres else "embedded-sqlite")
    with throwaway_db() as dsn:
        token = data_dir(root, sites, dsn)
        env = {**os.environ, "STOCKADE_SITES": "[]", "STOCKADE_LEDGER_STATE_DIR": str(root / "state")}
        if on_postgres:
            env["STOCKADE_POSTGRES_DSN"] = dsn
        else:  # the same sites and key, in the embedded node's own SQLite store
            from stockade.node.runtime import open_store
            from stockade.node.settings import Settings
            from stockade.store.postgres import PostgresStore

            pg, lite = PostgresStore.open(dsn), open_store(Settings(data_dir=root))
            for key in pg.list_keys():
                lite.put_key(key)
            pg.close()
            lite.close()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with (root / "serve.log").open("ab") as err:
            proc = subprocess.Popen([sys.executable, "-m", "stockade", "serve", "--data-dir", str(root),
                                     "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            until("stockade serve answers", lambda: _healthy(url))
            post_all([url], token, bodies(sites, 20, 900))
            runs = []
            for seed in range(1, REPEATS + 1):
                total = EVENTS * len(sites)
                cpu0 = tree_cpu_s(proc.pid)
                elapsed, done = post_all([url], token, bodies(sites, EVENTS, seed))
                done.expect("embedded node", accepted=total)
                runs.append((total / elapsed, (tree_cpu_s(proc.pid) - cpu0) / elapsed, done))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(120)
    rate, cores, done = sorted(runs, key=lambda x: x[0])[len(runs) // 2]
    return {"rate": rate, "rates": [x[0] for x in runs], "cores": cores, "accepted": done.accepted,
            "rejected": done.rejected}


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


def measure_partition_cost(tmp: Path) -> dict[str, Any]:
    """One worker holding every site (one partition): memory, idle CPU, consumers, at 1 and COST_SITES sites."""
    out: dict[int, dict[str, float]] = {}
    for n in (1, COST_SITES):
        sites = site_ids(n)
        with rig(tmp / f"cost{n}", sites, 1) as (r, token):
            r.start_worker("w1")
            url = r.start_api()
            until("the worker claims every site", lambda r=r, sites=sites: r.settled(sites))
            post_all([url], token, bodies(sites, 20, 900))
            until("one batch per site committed", lambda r=r, n=n: committed(r, 900) == 20 * n)
            worker, server = r.workers["w1"].pid, r.nats.pid if r.nats else 0
            w0, n0 = cpu_s(worker), cpu_s(server)
            time.sleep(IDLE_S)  # the idle window measured
            out[n] = {"worker_rss_mib": proc_mib(worker), "nats_rss_mib": proc_mib(server),
                      "worker_idle_cores": (cpu_s(worker) - w0) / IDLE_S,
                      "nats_idle_cores": (cpu_s(server) - n0) / IDLE_S, "consumers": float(r.consumers())}
    small, big, extra = out[1], out[COST_SITES], COST_SITES - 1
    return {"by_sites": out, "rss_mib_per_site": (big["worker_rss_mib"] - small["worker_rss_mib"]) / extra,
            "nats_rss_mib_per_site": (big["nats_rss_mib"] - small["nats_rss_mib"]) / extra,
            "idle_cores_per_site": (big["worker_idle_cores"] - small["worker_idle_cores"]) / extra,
            "nats_idle_cores_per_site": (big["nats_idle_cores"] - small["nats_idle_cores"]) / extra,
            "consumers_per_site": (big["consumers"] - small["consumers"]) / extra}


def measure_failover(kills: int, tmp: Path) -> dict[str, Any]:
    sites = site_ids(4)
    times: list[float] = []
    with rig(tmp / "failover", sites, PARTITIONS) as (r, token):
        for w in ("w1", "w2", "w3"):
            r.start_worker(w)
        url = r.start_api()
        for k in range(kills):
            until("the workers share the partitions", lambda: balanced(r, sites, 3))
            site = sites[k % len(sites)]
            probe = 1000 + 2 * k
            post_all([url], token, [(site, event_lines(1, site=site, seed=probe)[0])])
            until("the probe is committed", lambda probe=probe: committed(r, probe) == 1)
            owner = r.leases()[lease_key(partition_of(site, PARTITIONS))]
            start = time.perf_counter()
            r.workers[owner].send_signal(signal.SIGKILL)
            r.workers[owner].wait()
            _, done = post_all([url], token, [(site, event_lines(1, site=site, seed=probe + 1)[0])])
            done.expect("the next event", accepted=1)
            until("another worker commits the next event", lambda probe=probe: committed(r, probe + 1) == 1)
            times.append(time.perf_counter() - start)
            print(f"kill {k + 1}: {owner} owned {site}; the next event committed after {times[-1]:.2f} s")
            r.start_worker(owner)
    return {"kills": kills, "lease_s": 6.0, "median_s": statistics.median(times), "max_s": max(times),
            "times_s": times, "load_average": load_average()}


def main(*options: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stockade-bench-cluster-") as d:
        tmp = Path(d)
        if options[:1] == ("--failover",):
            f = measure_failover(int(options[1]) if len(options) > 1 else 10, tmp)
            print_table(f"Failover: SIGKILL the owner, {f['kills']} kills, 3 workers, lease_s 6; machine load "
                        f"average {f['load_average']:.1f} on {os.cpu_count()} cores", [
                ("kill → next event committed by another worker", f"{f['median_s']:.1f} s",
                 f"max {f['max_s']:.1f} s; each: {', '.join(f'{t:.1f}' for t in f['times_s'])}")])
            return f
        sqlite, pg = measure_embedded(tmp, False), measure_embedded(tmp, True)
        clusters = [measure_cluster(a, w, tmp) for a, w in CONFIGS]
        cost = measure_partition_cost(tmp)
    one = {c["apis"]: c["rate"] for c in clusters if c["workers"] == 1}.get(1, clusters[0]["rate"])
    rows = [("embedded node, SQLite (baseline)", f"{sqlite['rate']:,.0f} ev/s",
             f"stockade serve; {sqlite['cores']:.2f} cores; accepted {sqlite['accepted']:,}, rejected "
             f"{sqlite['rejected']:,}"),
            ("embedded node, PostgreSQL", f"{pg['rate']:,.0f} ev/s",
             f"{pg['cores']:.2f} cores; accepted {pg['accepted']:,}, rejected {pg['rejected']:,}")]
    for c in clusters:
        c["cpu_us_per_event"] = {role: v / c["rate"] * 1e6 for role, v in c["cores"].items()}
        cores = ", ".join(f"{role} {v:.2f} ({c['cpu_us_per_event'][role]:.0f} µs/ev)" for role, v in c["cores"].items())
        rows.append((f"cluster: {c['apis']} API, {c['workers']} worker{'s' if c['workers'] > 1 else ''}",
                     f"{c['rate']:,.0f} ev/s",
                     f"{c['rate'] / sqlite['rate']:.0%} of embedded; per-worker efficiency "
                     f"{c['rate'] / (c['workers'] * one):.0%}; acks {c['ack_rate']:,.0f} ev/s; "
                     f"cores (CPU per event): {cores}; "
                     f"accepted {c['accepted']:,}, rejected {c['rejected']:,}"))
    loads = [x for c in clusters for x in c["load_average"]]
    print_table(f"Cluster throughput: {SITES} sites × {EVENTS:,} events per run, {PARTITIONS} partitions, "
                f"median of {REPEATS} (POST → committed in PostgreSQL); machine load average "
                f"{min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores", rows)
    print_table(f"Cost of a partition (a worker with 1 vs {COST_SITES} sites, idle {IDLE_S:.0f} s)", [
        ("worker memory per site", f"{cost['rss_mib_per_site']:.1f} MiB", f"{cost['by_sites']}"),
        ("worker CPU per idle site", f"{cost['idle_cores_per_site'] * 1000:.1f} mcores",
         "a fetch per site every 0.5 s"),
        ("NATS CPU per idle site", f"{cost['nats_idle_cores_per_site'] * 1000:.1f} mcores",
         f"NATS memory per site {cost['nats_rss_mib_per_site']:.2f} MiB"),
        ("JetStream consumers per site", f"{cost['consumers_per_site']:.0f}", "one durable pull consumer"),
    ])
    return {"sites": SITES, "events_per_site": EVENTS, "repeats": REPEATS, "embedded_sqlite": sqlite,
            "cores": os.cpu_count(), "load_average": [min(loads), max(loads)],
            "embedded_postgres": pg, "clusters": clusters, "partition_cost": cost}
