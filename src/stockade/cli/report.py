"""``stockade report inventory``: reconciliation and shrinkage of one site, from the local store.

    stockade report inventory --site dc-paris-1 --since 2026-11-01T00:00:00+01:00 --format html > inv.html
    stockade report inventory --site dc-paris-1 --format csv --out inv.csv
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, fail, settings_for
from stockade.inventory.reconcile import reconcile
from stockade.node.runtime import load_sites, open_store
from stockade.reports.inventory import render_csv, render_html, render_json, stock_and_tags

report_app = typer.Typer(help="Reports for site managers.", no_args_is_help=True)
app.add_typer(report_app, name="report")


def _time(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        ts = datetime.fromisoformat(value)
    except ValueError as e:
        raise fail(f"--{name} {value!r} is not an RFC 3339 time (2026-11-01T00:00:00+01:00)") from e
    if ts.tzinfo is None:
        raise fail(f"--{name} {value!r} needs an offset (+01:00 or Z)")
    return ts


@report_app.command("inventory")
def inventory(
    site: Annotated[str | None, typer.Option(help="site id (default: the only loaded site)")] = None,
    since: Annotated[str | None, typer.Option(help="weekly series from (RFC 3339)")] = None,
    until: Annotated[str | None, typer.Option(help="reconcile as of (RFC 3339, exclusive)")] = None,
    fmt: Annotated[Literal["html", "json", "csv"], typer.Option("--format", help="html, json or csv")] = "html",
    out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
    data_dir: DataDir = None,
) -> None:
    """Expected against seen per zone and SKU, each difference explained or not, record accuracy and
    shrinkage by zone, SKU, value and week; the HTML report has a chart of shrinkage and accuracy."""
    settings = settings_for(data_dir)
    sites = load_sites(settings)
    if site is None:
        if len(sites) != 1:
            raise fail(f"name the site with --site (loaded: {', '.join(sorted(sites)) or 'none'})")
        site = next(iter(sites))
    config = sites.get(site)
    if config is None:
        raise fail(f"no site {site!r} in {settings.data_dir} (loaded: {', '.join(sorted(sites)) or 'none'})")
    start, end = _time("since", since), _time("until", until)
    store = open_store(settings)
    try:
        result = reconcile(config, stock_and_tags(store, site, end), since=start, until=end)
    finally:
        store.close()
    text = (render_html(result, since=start, until=end) if fmt == "html"
            else render_json(result) if fmt == "json" else render_csv(result))
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out} ({fmt}, {len(text):,} bytes)")
