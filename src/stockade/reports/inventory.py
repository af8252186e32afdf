"""The inventory report: reconciliation and shrinkage as HTML (with the chart), JSON or CSV.

    >>> html = render_html(result, since=None, until=None)      # doctest: +SKIP

The chart shows, per ISO week, the shrinkage value (bars) and the inventory record accuracy of that
week's cycle counts over all zones (line), so a site manager sees at a glance whether losses rise
and whether the records can be trusted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from html import escape

from stockade.events import Envelope
from stockade.inventory.reconciliation import Line, Reconciliation
from stockade.reports.svg import chart
from stockade.store import EventQuery, Store


def stock_and_tags(store: Store, site: str, until: datetime | None = None, batch: int = 10_000) -> Iterator[Envelope]:
    """A site's stock and tag events from the store, in log order (``until`` exclusive)."""
    after = 0
    while True:
        rows = store.query(EventQuery(site, None, until, ("stock", "tag"), None, after, batch))
        for row in rows:
            yield row.event
        if len(rows) < batch:
            return
        after = rows[-1].seq


CSV_FIELDS = ("section", "key", "expected", "seen", "difference", "expected_value", "seen_value",
              "difference_value", "explained", "unexplained", "unverified", "accuracy", "items", "value")


def weekly(result: Reconciliation) -> tuple[list[str], list[float], list[float | None]]:
    """Weeks, shrinkage value per week, record accuracy of the counts per week (all zones)."""
    shrink = {s.key: s.value for s in result.shrinkage_by_week}
    weeks = sorted(set(shrink) | set(result.accuracy_by_week))
    accuracy: list[float | None] = []
    for week in weeks:
        per_zone = result.accuracy_by_week.get(week, {})
        accuracy.append(sum(per_zone.values()) / len(per_zone) if per_zone else None)
    return weeks, [round(shrink.get(w, 0.0), 2) for w in weeks], accuracy


def plot(result: Reconciliation) -> str:
    weeks, values, accuracy = weekly(result)
    return chart(f"Shrinkage and inventory record accuracy per week — {result.site}", weeks, bars=values,
                 bar_label="shrinkage value", line=accuracy, line_label="record accuracy of cycle counts")


def render_json(result: Reconciliation) -> str:
    return json.dumps(result.as_dict(), indent=2, sort_keys=False)


def render_csv(result: Reconciliation) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for section, lines in (("zone", result.zones), ("sku", result.skus)):
        for ln in lines:
            row: dict[str, object] = {"section": section, **{k: v for k, v in ln.as_dict().items() if k in CSV_FIELDS}}
            if section == "zone":
                row["accuracy"] = result.accuracy.get(ln.key)
            writer.writerow(row)
    for section, shrinks in (("shrinkage_week", result.shrinkage_by_week),
                             ("shrinkage_zone", result.shrinkage_by_zone),
                             ("shrinkage_sku", result.shrinkage_by_sku),
                             ("shrinkage_reason", result.shrinkage_by_reason)):
        for s in shrinks:
            writer.writerow({"section": section, "key": s.key, "items": s.items, "value": round(s.value, 2)})
    return buf.getvalue()


def _table(lines: list[Line], first: str, accuracy: dict[str, float | None] | None = None) -> str:
    head = [first, "expected", "seen", "difference", "difference value", "explained", "unexplained", "unverified"]
    if accuracy is not None:
        head.append("record accuracy")
    rows = []
    for ln in lines:
        cells = [escape(ln.key), ln.expected, ln.seen, ln.difference, f"{ln.difference_value:,.2f}", ln.explained,
                 ln.unexplained, ln.unverified]
        if accuracy is not None:
            acc = accuracy.get(ln.key)
            cells.append("—" if acc is None else f"{acc:.1%}")
        cls = ' class="bad"' if ln.unexplained else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + "".join(rows) + "</table>")


def render_html(result: Reconciliation, *, since: datetime | None, until: datetime | None) -> str:
    t = result.totals
    period = f"{since.isoformat() if since else 'the start of the log'} to {until.isoformat() if until else 'now'}"
    explained = result.difference_counts
    diff_rows = "".join(
        f"<tr><td>{escape(d.epc)}</td><td>{escape(d.sku)}</td><td>{escape(d.kind)}</td>"
        f"<td>{escape(d.explained or 'NOT EXPLAINED')}</td><td>{escape(d.expected_zone or '—')}</td>"
        f"<td>{escape(d.seen_zone or '—')}</td><td>{d.value:,.2f}</td></tr>" for d in result.differences[:200])
    shrink_rows = "".join(f"<tr><td>{escape(s.key)}</td><td>{s.items}</td><td>{s.value:,.2f}</td></tr>"
                          for s in result.shrinkage_by_sku[:50])
    reasons = "".join(f"<tr><td>{escape(s.key)}</td><td>{s.items}</td><td>{s.value:,.2f}</td></tr>"
                      for s in result.shrinkage_by_reason)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inventory report — {escape(result.site)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child,th:first-child{{text-align:left}}
tr.bad td{{background:#fde8e8}}.big{{font-size:1.4em}}</style></head><body>
<h1>Inventory report — {escape(result.site)}</h1>
<p>From {escape(period)}. As of {escape(result.as_of.isoformat() if result.as_of else '—')}.</p>
<p class="big">Shrinkage: <b>{int(t.get('shrinkage_items', 0))}</b> items
worth <b>{t.get('shrinkage_value', 0):,.2f}</b>.
Differences not explained: <b>{int(t.get('unexplained', 0))}</b>; explained: {int(t.get('explained', 0))};
items not verified since their last movement: {int(t.get('unverified', 0))}.</p>
{plot(result)}
<h2>Per zone</h2>{_table(result.zones, "zone", result.accuracy)}
<h2>Shrinkage by reason</h2><table><tr><th>reason</th><th>items</th><th>value</th></tr>{reasons}</table>
<h2>Shrinkage by SKU</h2><table><tr><th>SKU</th><th>items</th><th>value</th></tr>{shrink_rows}</table>
<h2>Differences ({escape(', '.join(f'{k}: {v}' for k, v in explained.items()) or 'none')})</h2>
<table><tr><th>EPC</th><th>SKU</th><th>kind</th><th>explanation</th><th>expected in</th><th>seen in</th>
<th>value</th></tr>
{diff_rows}</table>
<h2>Per SKU</h2>{_table(result.skus, "SKU")}
</body></html>
"""
