"""Memory bounded by what is open (issue 11 item 7): a simulated month of stock turnover.

Every day 4,000 tagged items are received into storage (read there), and the
items received three days earlier are picked, shipped from the outbound dock
and read leaving through its portal; 1% of each day's receipt is written off
as lost. Stock on hand is therefore about three days' receipts whatever the
day. The engine (every detector, correlation, risk) folds it all; at days 1,
7, 21 and 30 the bench prints the EPCs the stock state tracks, the reads it
keeps, the engine's snapshot size and the process's resident memory. With the
live site's tombstones (``site/live/stock.py``: a week for shipped and
written-off EPCs) the figures stop growing once the first week's departures
expire; without them they grow with everything that ever passed through.

    python -m bench memory
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import in_fresh_process, print_table, proc_mib
from stockade.engine.snapshot import encode
from stockade.events import Envelope, Stock, Tag
from stockade.node.tuning import tune_gc
from stockade.pipeline.build import build_engine
from stockade.site import load_site

ROOT = Path(__file__).resolve().parent.parent
DAYS = 30
PER_DAY = 4_000
BATCH = 500
DWELL_DAYS = 3
REPORT_DAYS = (1, 7, 21, 30)
SKU = "0614141.107346"


def _day(day: int, t0: datetime) -> list[Envelope]:
    """One day's events, in time order."""
    base = t0 + timedelta(days=day)
    out: list[Envelope] = []

    def ts(seconds: float) -> datetime:
        return base + timedelta(seconds=seconds)

    def epcs(of_day: int) -> list[str]:
        return [f"urn:epc:id:sgtin:{SKU}.{of_day * PER_DAY + j}" for j in range(PER_DAY)]

    today = epcs(day)
    for k in range(0, PER_DAY, BATCH):
        batch = today[k:k + BATCH]
        at = 3600 + k  # from 09:00, one receipt per 500 items
        out.append(Stock(id=f"rcv-{day}-{k}", ts=ts(at), site="dc-demo", source="wms", op="receive",
                         to=f"storage/A-{k // BATCH:03d}", epcs=batch, sku=SKU))
        out += [Tag(id=f"r-{day}-{k + j}", ts=ts(at + 1 + j * 0.01), site="dc-demo", source="R-STORAGE-1",
                    reader="R-STORAGE-1", epc=e) for j, e in enumerate(batch)]
    lost = today[: PER_DAY // 100]
    out.append(Stock(id=f"adj-{day}", ts=ts(20_000), site="dc-demo", source="wms", op="adjust",
                     from_="storage/A-000", epcs=lost, qty=-len(lost), reason="lost", user="emp-1060"))
    if day >= DWELL_DAYS:
        leaving = epcs(day - DWELL_DAYS)[PER_DAY // 100:]
        for k in range(0, len(leaving), BATCH):
            batch, at = leaving[k:k + BATCH], 30_000 + k
            out.append(Stock(id=f"pick-{day}-{k}", ts=ts(at), site="dc-demo", source="wms", op="pick",
                             from_="storage", to="dock-out", epcs=batch, order=f"o-{day}-{k}"))
            out.append(Stock(id=f"ship-{day}-{k}", ts=ts(at + 1), site="dc-demo", source="wms", op="ship",
                             from_="dock-out", epcs=batch, shipment=f"s-{day}-{k}", trailer=f"t-{day}-{k}"))
            out += [Tag(id=f"x-{day}-{k + j}", ts=ts(at + 2 + j * 0.01), site="dc-demo", source="R-DOCKOUT-1",
                        reader="R-DOCKOUT-1", epc=e, direction="out") for j, e in enumerate(batch)]
    return out


def run_month() -> list[dict[str, Any]]:
    """Fold the month into one engine; the figures at each reported day (run in a fresh process)."""
    tune_gc()
    engine = build_engine(load_site(ROOT / "examples" / "sites" / "dc-demo.yaml"))
    t0 = datetime(2026, 11, 2, 7, tzinfo=UTC)
    gc.collect()
    before = proc_mib()
    seq, alerts, rows = 0, 0, []
    for day in range(DAYS):
        for event in _day(day, t0):
            seq += 1
            alerts += sum(1 for o in engine.step(event, seq) if o.kind == "alert")
        if day + 1 in REPORT_DAYS:
            gc.collect()
            stock = engine.state.stock
            rows.append({"day": day + 1, "events": seq, "alerts": alerts, "tracked": len(stock.info),
                         "reads": len(stock.seen), "snapshot_bytes": len(encode(engine)),
                         "rss_mib": proc_mib() - before})
    return rows


def main() -> dict[str, Any]:
    rows = in_fresh_process(run_month)
    print_table(f"Engine memory over a simulated month ({PER_DAY:,} items received and shipped a day)", [
        (f"day {r['day']}", f"{r['snapshot_bytes'] / 2**20:,.1f} MiB snapshot",
         f"{r['tracked']:,} EPCs tracked · {r['reads']:,} reads kept · RSS +{r['rss_mib']:,.0f} MiB · "
         f"{r['events']:,} events, {r['alerts']:,} alerts")
        for r in rows
    ])
    return {"days": rows}
