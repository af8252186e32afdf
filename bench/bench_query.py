"""Store queries as a site grows (issue 11.5): by entity, by time, by entity and time, by kind.

    python -m bench query
    python -m bench.bench_query --sizes 100000,1000000,5000000 --samples 300 --http

At each size the store (SQLite, as `stockade serve` opens it) holds a week of a mixed site: door
events at 20 doors, access grants of 2,000 people, RFID reads of 200,000 EPCs, every 40th event
arriving late. Each query kind runs ``samples`` times with random keys and windows (page of 100);
p50 and p99 are printed beside the rows answered. Baseline, in the same run and on the same store:
the previous SQL (``legacy_sql``: a join driven by ``seq``), a few samples each. With ``--http``,
the same queries through ``GET /v1/events`` of a real ``stockade serve`` on loopback, beside
``GET /healthz`` (the floor of the HTTP stack, measured in the same run).
"""

from __future__ import annotations

import argparse
import functools
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.harness import percentile, print_table, served
from stockade.events import Access, Door, Envelope, Tag, canonical_event
from stockade.events.entities import EntityType
from stockade.node.keys import new_key
from stockade.store import EventQuery
from stockade.store.base import ts_micros
from stockade.store.sqlite import SqliteStore

SITE = "bench-q"  # no site file: the node serving the store replays nothing of it at start
T0 = datetime(2026, 11, 2, tzinfo=UTC)
WEEK_S = 7 * 86_400
DOORS, PEOPLE, EPCS = 20, 2_000, 200_000


def event(i: int, n: int) -> Envelope:
    at = T0 + timedelta(seconds=WEEK_S * i / n - (600 if i % 40 == 0 else 0))
    r = i % 10
    if r < 6:
        return Tag(id=f"t{i}", ts=at, site=SITE, source="rfid", reader=f"R{i % 30}", epc=f"epc-{(i * 7919) % EPCS}")
    if r < 8:
        return Door(id=f"d{i}", ts=at, site=SITE, source="ctl", door=f"D{i // 10 % DOORS}", state="open")
    person = f"emp-{(i * 31) % PEOPLE}"
    return Access(id=f"a{i}", ts=at, site=SITE, source="ctl", door=f"D{i // 10 % DOORS}", result="granted",
                  factors=["badge"], subject=person, credential=f"badge:{person}")


def grow(store: SqliteStore, have: int, n: int, total: int) -> None:
    """Append events ``have+1 … n`` of a log that will reach ``total`` (the times spread over the week)."""
    for start in range(have, n, 10_000):
        events = [event(i, total) for i in range(start + 1, min(n, start + 10_000) + 1)]
        results = store.append(SITE, events, [canonical_event(e) for e in events], wait_for_disk=False)
        store.index_entities(SITE, [(r.seq, e) for r, e in zip(results, events, strict=True)])


def queries(rnd: random.Random, n: int, total: int) -> dict[str, Callable[[], EventQuery]]:
    """The query kinds over a log of ``n`` of ``total`` events (its times cover that part of the week)."""
    span = WEEK_S * n / total

    def at(seconds: float) -> datetime:
        return T0 + timedelta(seconds=seconds)

    def when() -> float:
        return rnd.uniform(0, span - 3_600)

    def entity(kind: EntityType, name: str) -> tuple[EntityType, str]:
        return (kind, name)

    return {
        "EPC (few rows)": lambda: EventQuery(SITE, entity=entity("epc",
                                                                 f"epc-{rnd.randrange(0, n, 10) * 7919 % EPCS}")),
        "door, newest first": lambda: EventQuery(SITE, entity=entity("door", f"D{rnd.randrange(DOORS)}"),
                                                 newest_first=True),
        "person, oldest first": lambda: EventQuery(SITE, entity=entity("person", f"emp-{rnd.randrange(PEOPLE)}")),
        "one-minute window": lambda: EventQuery(SITE, since=(s := at(when())), until=s + timedelta(minutes=1)),
        "EPC, the whole span": lambda: EventQuery(SITE, since=at(0), until=at(span),  # walks all its rows
                                                  entity=entity("epc", f"epc-{rnd.randrange(0, n, 10) * 7919 % EPCS}")),
        "door and an hour": lambda: EventQuery(SITE, since=(s := at(when())), until=s + timedelta(hours=1),
                                               entity=entity("door", f"D{rnd.randrange(DOORS)}")),
        "kind access, from a position": lambda: EventQuery(SITE, kinds=("access",),
                                                           after_seq=rnd.randrange(n)),
        "kinds access+door, newest": lambda: EventQuery(SITE, kinds=("access", "door"), newest_first=True),
        "newest minute, newest first": lambda: EventQuery(SITE, since=at(span - 60), newest_first=True),
    }


def legacy_sql(q: EventQuery) -> tuple[str, list[object]]:
    """The SQL the store ran before issue 11.5 (a copy, kept as this benchmark's baseline)."""
    where, params = ["e.site = ?", "e.seq > ?"], [q.site, q.after_seq]
    source = "events e"
    if q.entity is not None:
        source = "idx.entities x JOIN events e ON e.site = x.site AND e.seq = x.seq"
        where += ["x.site = ?", "x.etype = ?", "x.eid = ?"]
        params += [q.site, q.entity[0], q.entity[1]]
    if q.since is not None:
        where.append("e.ts_us >= ?")
        params.append(ts_micros(q.since))
    if q.until is not None:
        where.append("e.ts_us < ?")
        params.append(ts_micros(q.until))
    if q.kinds:
        where.append("e.kind IN (" + ",".join("?" * len(q.kinds)) + ")")
        params += list(q.kinds)
    order = "DESC" if q.newest_first else "ASC"
    return f"SELECT e.seq, e.entry FROM {source} WHERE {' AND '.join(where)} ORDER BY e.seq {order} LIMIT ?", \
        [*params, q.limit]


def _time(run: Callable[[], int], samples: int) -> tuple[list[float], int]:
    times, rows = [], 0
    for _ in range(samples):
        start = time.perf_counter()
        rows += run()
        times.append(time.perf_counter() - start)
    return times, rows


def _store_rows(store: SqliteStore, make: Callable[[], EventQuery]) -> int:
    return len(store.query(make()))


def _legacy_rows(conn: sqlite3.Connection, store: SqliteStore, make: Callable[[], EventQuery]) -> int:
    """The previous SQL's answer, checked equal to the store's (the baseline does the same work)."""
    q = make()
    rows = conn.execute(*legacy_sql(q)).fetchall()
    if [seq for seq, _ in rows] != [r.seq for r in store.query(q)]:
        raise SystemExit(f"the store and the previous SQL disagree on {q}")
    return len(rows)


def measure(store: SqliteStore, legacy: sqlite3.Connection, n: int, total: int, samples: int,
            baseline_samples: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    new, old = queries(random.Random(11), n, total), queries(random.Random(11), n, total)
    for name, make in new.items():
        times, rows = _time(functools.partial(_store_rows, store, make), samples)
        before, old_rows = _time(functools.partial(_legacy_rows, legacy, store, old[name]), baseline_samples)
        out[name] = {"p50_ms": percentile(times, 50) * 1e3, "p99_ms": percentile(times, 99) * 1e3,
                     "rows": rows / samples, "legacy_p50_ms": percentile(before, 50) * 1e3,
                     "legacy_rows": old_rows / max(baseline_samples, 1)}
    return out


def http_measure(data: Path, store: SqliteStore, total: int, samples: int) -> dict[str, dict[str, float]]:
    token, record = new_key(("read",), label="bench reader")
    store.put_key(record)
    out: dict[str, dict[str, float]] = {}
    with served(data) as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(600):  # until the node serves (it answers 503 while it starts)
            if client.get("/v1/events", params={"site": SITE, "limit": 1}).status_code == 200:
                break
            time.sleep(0.1)
        floor, _ = _time(lambda: int(client.get("/healthz").status_code == 200), samples)
        out["GET /healthz (the HTTP floor)"] = {"p50_ms": percentile(floor, 50) * 1e3,
                                                "p99_ms": percentile(floor, 99) * 1e3, "rows": 0}
        for name, make in queries(random.Random(11), total, total).items():
            def run(make: Callable[[], EventQuery] = make) -> int:
                q = make()
                params: dict[str, Any] = {"site": SITE, "after_seq": q.after_seq, "limit": q.limit,
                                          "order": "newest" if q.newest_first else "oldest"}
                if q.since:
                    params["since"] = q.since.isoformat()
                if q.until:
                    params["until"] = q.until.isoformat()
                if q.kinds:
                    params["kind"] = list(q.kinds)
                if q.entity:
                    params["entity_type"], params["entity"] = q.entity
                answer = client.get("/v1/events", params=params)
                answer.raise_for_status()
                return len(answer.json()["items"])
            times, rows = _time(run, samples)
            out[name] = {"p50_ms": percentile(times, 50) * 1e3, "p99_ms": percentile(times, 99) * 1e3,
                         "rows": rows / samples}
    return out


def main(sizes: tuple[int, ...] = (100_000, 1_000_000), samples: int = 300, baseline_samples: int = 5,
         http: bool = True) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    total = sizes[-1]
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as d:
        data = Path(d)
        (data / "sites").mkdir()
        store = SqliteStore.open(data, synchronous="NORMAL")
        legacy = sqlite3.connect(data / "stockade.db")
        legacy.execute("ATTACH DATABASE ? AS idx", (str(data / "index.db"),))
        have = 0
        for n in sizes:
            started = time.perf_counter()
            grow(store, have, n, total)
            have = n
            built = time.perf_counter() - started
            result = measure(store, legacy, n, total, samples, baseline_samples)
            figures[str(n)] = {"build_s": built, "store": result}
            print_table(f"store queries at {n:,} events (built in {built:.0f} s; page of 100)", [
                (name, f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms",
                 f"{r['rows']:.0f} rows/query; previous SQL p50 {r['legacy_p50_ms']:.1f} ms "
                 f"({r['legacy_rows']:.0f} rows)") for name, r in result.items()])
        if http:
            store.sync()
            result = http_measure(data, store, have, samples)
            figures[f"{have}-http"] = result
            print_table(f"GET /v1/events at {have:,} events, stockade serve on loopback", [
                (name, f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms", f"{r['rows']:.0f} rows/query")
                for name, r in result.items()])
        legacy.close()
        store.close()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--baseline-samples", type=int, default=5)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    main(tuple(int(s) for s in args.sizes.split(",")), args.samples, args.baseline_samples, not args.no_http)
