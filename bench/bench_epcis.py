"""EPCIS capture, MATCH_epc queries and reconciliation.

    python -m bench epcis
    python -m bench.bench_epcis --capture 5000 --query-events 1000000 --items 1000000 --reads 10000000

* capture: EPCIS documents of 500 ObjectEvents (5 EPCs each) planned (schema, CBV 2.0 hash, mapping)
  and committed through a node's ingest path; baseline: the same SEF/1 events ingested directly.
* query: ``MATCH_epc`` over a store of N captured-shape stock events (the entity index, then each
  row exported as EPCIS and filtered); baseline: the entity-index lookup alone.
* reconciliation: M items received, R reads, one count per zone, in a fresh process (its own peak
  memory); baseline: the same R reads folded into a plain dict.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import yaml

from bench.harness import in_fresh_process, peak_rss_mib, print_table
from stockade.events import Stock, canonical_event
from stockade.inventory.epcis.capture import plan_document
from stockade.inventory.epcis.query import EpcisQuery, reverse_locations, to_epcis
from stockade.inventory.reconcile import Reconciler
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.site import SiteConfig, parse_site
from stockade.store import EventQuery
from stockade.store.sqlite import SqliteStore

SITE = "bench-epcis"
T0 = datetime(2026, 11, 2, tzinfo=UTC)
SGLN = "urn:epc:id:sgln:0614141.00777.0"


def site_data() -> dict[str, Any]:
    return {"site": SITE, "name": "bench", "timezone": "Europe/Paris",
            "zones": [{"id": f"z{i}", "kind": "storage"} for i in range(20)],
            "readers": [{"id": f"R{i}", "zone": f"z{i}"} for i in range(20)],
            "skus": [{"sku": f"0614141.1{i:05d}", "name": f"s{i}", "value": 10.0 + i} for i in range(100)],
            "sources": [{"id": "wms", "kinds": ["stock"]}], "locations": {SGLN: "z0"}}


def epc(i: int) -> str:
    return f"urn:epc:id:sgtin:0614141.1{i % 100:05d}.{i}"


def document(start: int, n: int) -> dict[str, Any]:
    events = [{"type": "ObjectEvent", "eventTime": (T0 + timedelta(seconds=i)).isoformat(),
               "eventTimeZoneOffset": "+00:00", "epcList": [epc(i * 5 + j) for j in range(5)], "action": "OBSERVE",
               "bizStep": "receiving", "bizLocation": {"id": SGLN}} for i in range(start, start + n)]
    return {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
            "schemaVersion": "2.0", "creationDate": T0.isoformat(), "epcisBody": {"eventList": events}}


def bench_capture(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        (data / "sites").mkdir()
        (data / "sites" / f"{SITE}.yaml").write_text(yaml.safe_dump(site_data()))
        node = Node.open(Settings(data_dir=data, engine="thread"))
        site = node.sites[SITE]
        principal = Principal("bench", SITE, frozenset({"wms"}), frozenset({"stock"}))
        docs = [document(s, min(500, n - s)) for s in range(0, n, 500)]
        start = time.perf_counter()
        planned = 0
        mapped: list[Stock] = []
        for doc in docs:
            plan = plan_document(doc, site=site, source="wms")
            mapped += [s for _, s in plan.events]
            planned += len(plan.events)
        plan_s = time.perf_counter() - start
        start = time.perf_counter()
        report = node.ingestor.ingest_lines([canonical_event(s) for s in mapped], principal)
        commit_s = time.perf_counter() - start
        assert report.count("accepted") == planned
        # baseline: the same events as SEF/1, new ids, straight into the ingest path
        again = [msgspec.structs.replace(s, id="b" + s.id[6:]) for s in mapped]
        start = time.perf_counter()
        node.ingestor.ingest_lines([canonical_event(s) for s in again], principal)
        base_s = time.perf_counter() - start
        node.stop()
    return {"events": planned, "capture_per_s": planned / (plan_s + commit_s), "plan_per_s": planned / plan_s,
            "sef_ingest_per_s": planned / base_s}


def bench_query(n: int) -> dict[str, float]:
    site = parse_site(site_data())
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore.open(Path(tmp), synchronous="NORMAL")
        seq = 0
        for start in range(0, n, 20_000):
            events = [Stock(id=f"e{i}", ts=T0 + timedelta(seconds=i), site=SITE, source="wms", op="move",
                            to=f"z{i % 20}", epcs=[epc(i % (n // 4 + 1))], attrs={"event_hash": f"ni:///x{i}"})
                      for i in range(start, min(n, start + 20_000))]
            store.append(SITE, events, [canonical_event(e) for e in events], wait_for_disk=False)
            store.index_entities(SITE, [(seq + k + 1, e) for k, e in enumerate(events)])
            seq += len(events)
        reverse = reverse_locations(site)
        target = epc(12345 % (n // 4 + 1))
        q = EpcisQuery(match_epc=(target,))
        times, base, found = [], [], 0
        for _ in range(21):
            t = time.perf_counter()
            rows = store.query(EventQuery(SITE, None, None, ("stock", "tag"), ("epc", target), 0, 30))
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            rows = store.query(EventQuery(SITE, None, None, ("stock", "tag"), ("epc", target), 0, 30))
            out = [e for r in rows if (e := to_epcis(r.event, site, reverse)) is not None and q.matches(e)]
            times.append(time.perf_counter() - t)
            found = len(out)
        store.close()
    return {"events": n, "matches": found, "query_ms": statistics.median(times) * 1000,
            "index_lookup_ms": statistics.median(base) * 1000}


def reconcile_run(items: int, reads: int) -> dict[str, float]:
    site: SiteConfig = parse_site(site_data())
    rec = Reconciler(site)
    epcs = [epc(i) for i in range(items)]
    start = time.perf_counter()
    for z in range(20):
        rec.stock(Stock(id=f"r{z}", ts=T0, site=SITE, source="wms", op="receive", to=f"z{z}",
                        epcs=epcs[z::20]), int(T0.timestamp() * 1000))
    ms0 = int(T0.timestamp() * 1000) + 1000
    readers = [f"R{i}" for i in range(20)]
    tag = rec.tag
    for k in range(reads):
        i = (k * 7919) % items
        tag(readers[i % 20], epcs[i], ms0 + k)
    result = rec.finish()
    total_s = time.perf_counter() - start
    seen: dict[str, int] = {}
    start = time.perf_counter()
    for k in range(reads):
        i = (k * 7919) % items
        seen[epcs[i]] = ms0 + k
    base_s = time.perf_counter() - start
    return {"items": items, "reads": reads, "seconds": total_s, "baseline_dict_s": base_s,
            "peak_rss_mib": peak_rss_mib(), "matched": result.totals["seen"]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--capture", type=int, default=5_000)
    parser.add_argument("--query-events", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=10_000_000)
    args = parser.parse_args(argv or [])
    cap = bench_capture(args.capture)
    qry = bench_query(args.query_events)
    rec = in_fresh_process(reconcile_run, args.items, args.reads)
    print_table("EPCIS and reconciliation", [
        ("capture (plan + commit)", f"{cap['capture_per_s']:,.0f} events/s",
         f"{cap['events']:,} events; plan alone {cap['plan_per_s']:,.0f}/s; "
         f"SEF/1 ingest {cap['sef_ingest_per_s']:,.0f}/s"),
        ("MATCH_epc query", f"{qry['query_ms']:.2f} ms",
         f"over {qry['events']:,} events, {qry['matches']} matches; "
         f"index lookup alone {qry['index_lookup_ms']:.2f} ms"),
        ("reconciliation", f"{rec['seconds']:.1f} s",
         f"{rec['items']:,} items, {rec['reads']:,} reads, peak {rec['peak_rss_mib']:.0f} MiB; "
         f"plain dict fold {rec['baseline_dict_s']:.1f} s"),
    ])
    return {"capture": cap, "query": qry, "reconcile": rec}


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
