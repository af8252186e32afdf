"""The tables of ``bench scale`` (:mod:`bench.bench_scale`): one per size on the terminal, and the
README's Markdown table of a whole run (``--markdown``)."""

from __future__ import annotations

from typing import Any

from bench.bench_query import SITE
from bench.harness import print_table


def _mib(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f} MiB"


def print_step(f: dict[str, Any]) -> None:
    rows = [
        ("work", f"{f['events']:,} events", f"accepted {f['accepted']:,}, rejected {f['rejected']:,}; "
         f"{f['log_entries']:,} log entries with {f['alerts']:,} alerts"),
        ("ingest, the step / its last events", f"{f['ingest_us']:.1f} / {f['ingest_window_us']:.1f} µs/ev",
         f"{f['ingest_s']:.0f} s; worker caught up at {f['caught_up_s']:.0f} s"),
        ("bare baseline, same last events", f"{f['baseline_window_us']:.1f} µs/ev",
         f"ingest / baseline {f['ingest_window_us'] / f['baseline_window_us']:.1f}×"),
        ("node CPU / worker CPU", f"{f['node_cpu_us']:.1f} / "
         + ("—" if f['worker_cpu_us'] is None else f"{f['worker_cpu_us']:.1f}") + " µs/ev", "over the step"),
    ]
    if "index" in f:
        i = f["index"]
        split = "" if i["rows_us"] is None else f"rows {i['rows_us']:.1f} + SQL {i['sql_us']:.1f}; "
        warm = (f"every page cached: {i['warm_us']:.1f} µs/ev, {i['pages_per_event']:.2f} pages written/ev"
                if "warm_us" in i else f"no cached figure: {i.get('warm_error')}")
        rows.append(("entity index, the next events", f"{i['us']:.1f} µs/ev",
                     f"{split}index {i['index_mib']:,.0f} MiB; {warm}"))
    rows.append(("memory: node / worker (RSS; peak)", f"{_mib(f['node_rss_mib'])} / {_mib(f['worker_rss_mib'])}",
                 f"peak {_mib(f['node_hwm_mib'])} / {_mib(f['worker_hwm_mib'])}"))
    rows += [(f"query: {name}", f"p50 {q['p50_ms']:.2f} ms, p99 {q['p99_ms']:.2f} ms", f"{q['rows']:.0f} rows")
             for name, q in f["queries"].items()]
    print_table(f"Scale: {SITE} at {f['size']:,} events", rows)


def markdown(steps: list[dict[str, Any]]) -> str:
    """The README's tables, from a run's figures."""
    head = "| measure | " + " | ".join(f"{s['size']:,}" for s in steps) + " |"
    sep = "| --- |" + " --- |" * len(steps)

    def row(name: str, cell: Any) -> str:
        return f"| {name} | " + " | ".join(cell(s) for s in steps) + " |"

    lines = [head, sep,
             row("events in the step: accepted / rejected", lambda s: f"{s['accepted']:,} / {s['rejected']:,}"),
             row("ingest µs/event, the step's last 50,000", lambda s: f"{s['ingest_window_us']:.1f}"),
             row("bare baseline µs/event, same events, table of the same size",
                 lambda s: f"{s['baseline_window_us']:.1f}"),
             row("ingest / baseline", lambda s: f"{s['ingest_window_us'] / s['baseline_window_us']:.1f}×"),
             row("worker CPU µs/event over the step (decode, index, detectors)",
                 lambda s: "—" if s["worker_cpu_us"] is None else f"{s['worker_cpu_us']:.1f}")]
    if "index" in steps[0]:
        def split(i: dict[str, Any]) -> str:
            return "" if i["rows_us"] is None else f" ({i['rows_us']:.1f} + {i['sql_us']:.1f})"

        lines += [row(f"entity index µs/event, the next {steps[0]['index']['events']:,} (building rows + SQL)",
                      lambda s: f"{s['index']['us']:.1f}{split(s['index'])}"),
                  row("the same with every index page in SQLite's cache; pages written per event",
                      lambda s: f"{s['index']['warm_us']:.1f}; {s['index']['pages_per_event']:.2f}"
                      if "warm_us" in s["index"] else "—"),
                  row("entity index files", lambda s: f"{s['index']['index_mib']:,.0f} MiB")]
    lines += [row("node RSS (peak)", lambda s: f"{s['node_rss_mib']:,.0f} ({s['node_hwm_mib']:,.0f}) MiB"),
              row("worker RSS (peak)", lambda s: "—" if s["worker_rss_mib"] is None
                  else f"{s['worker_rss_mib']:,.0f} ({s['worker_hwm_mib']:,.0f}) MiB")]
    lines += [row(f"query p50 / p99 ms: {name}",
                  lambda s, name=name: f"{s['queries'][name]['p50_ms']:.2f} / {s['queries'][name]['p99_ms']:.2f}")
              for name in steps[0]["queries"]]
    return "\n".join(lines)
