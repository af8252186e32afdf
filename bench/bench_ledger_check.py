"""The start-up ledger check on a site with N events: how much it adds to opening the ledgers.

    python -m bench ledger_check              (1,000,000 events)
    python -m bench.bench_ledger_check --events 100000

Builds a store (SQLite, sealed rows) and a log of N door events directly, then
opens them repeatedly: the baseline is what opening did before the check
(``SiteLog.open`` and the store's last sequence number); the figure is
``Ledgers.open`` with every start-up check (signature, right edge, the
remembered checkpoint, the store's tail and its row count). The full audit of
every row runs in the node's background thread, not here.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import print_table
from stockade.events import Door, canonical_event
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog, ledger_dir
from stockade.ledger.seal import load_or_create_row_seal
from stockade.node.ledgers import Ledgers
from stockade.site import load_site
from stockade.store.sqlite import SqliteStore

SITE_FILE = Path(__file__).resolve().parent.parent / "examples" / "sites" / "dc-demo.yaml"
T0 = datetime(2026, 11, 21, tzinfo=UTC)


def build(data: Path, n: int) -> None:
    site = load_site(SITE_FILE)
    keys = load_or_create_log_keys(data / "keys")
    store = SqliteStore.open(data, synchronous="NORMAL", seal=load_or_create_row_seal(data / "keys"))
    log = SiteLog.open(ledger_dir(data, site.site), site.ledger_origin, keys.signer(site.ledger_origin))
    for start in range(0, n, 10_000):
        events = [Door(id=f"d{i}", ts=T0 + timedelta(milliseconds=i), site=site.site, source="ctl-1",
                       door="D-HV", state="open") for i in range(start, min(n, start + 10_000))]
        entries = [canonical_event(e) for e in events]
        store.append(site.site, events, entries, wait_for_disk=False)
        log.append(entries)
    log.checkpoint()
    log.close()
    store.close()


def time_open(data: Path, state: Path, checked: bool, repeats: int) -> list[float]:
    site = load_site(SITE_FILE)
    keys = load_or_create_log_keys(data / "keys")
    times = []
    for _ in range(repeats):
        store = SqliteStore.open(data, seal=load_or_create_row_seal(data / "keys"))
        start = time.perf_counter()
        if checked:
            ledgers = Ledgers.open(data, {site.site: site}, store, state_dir=state)
        else:
            SiteLog.open(ledger_dir(data, site.site), site.ledger_origin, keys.signer(site.ledger_origin))
            store.last_seq(site.site)
        times.append(time.perf_counter() - start)
        if checked:  # remember the checkpoint, so the next open checks for a rollback too
            log = ledgers.logs[site.site]
            note = log.latest_checkpoint()
            assert note is not None
            ledgers.remembered[site.site].remember(note, log.size)
        store.close()
    return times


def main(events: int = 1_000_000, repeats: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data, state = Path(tmp) / "data", Path(tmp) / "state"
        started = time.perf_counter()
        build(data, events)
        built = time.perf_counter() - started
        base = statistics.median(time_open(data, state, False, repeats))
        checked = statistics.median(time_open(data, state, True, repeats))
    print_table(f"start-up ledger check, {events:,} events (built in {built:.0f} s)", [
        ("open log + last seq (before the check)", f"{base * 1000:.0f} ms", f"median of {repeats}"),
        ("Ledgers.open with every start-up check", f"{checked * 1000:.0f} ms", f"median of {repeats}"),
        ("added by the check", f"{(checked - base) * 1000:.0f} ms", "same run"),
    ])
    return {"events": events, "open_s": base, "checked_open_s": checked}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    main(args.events, args.repeats)
