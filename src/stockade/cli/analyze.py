"""``stockade analyze --site SITE.yaml EVENTS.ndjson… [--json]``: re-hunt a log offline.

Decodes the files (each bad line reported on stderr as ``file:line: field:
reason``, the valid ones kept), runs the same engine as the live node over
them in event-time order, and prints alerts and incidents: Rich tables for
people, or with ``--json`` one JSON object per line in DESIGN.md's shape.

    $ stockade analyze --site examples/sites/dc-demo.yaml night.ndjson --json
    {"type":"alert","id":"al-…","detector":"STK-DEV-001","severity":"high",…}
    {"type":"incident","id":"inc-…","pattern":"blind_and_grab","severity":"critical",…}
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from stockade.cli.app import app
from stockade.cli.common import fail
from stockade.cli.errors import one_line
from stockade.cli.progress import meter
from stockade.pipeline.analyze import Analysis, analyze
from stockade.pipeline.inputs import Batch, read_files
from stockade.pipeline.report import fold_incidents, json_line, records
from stockade.response.errors import PlaybookError
from stockade.response.playbook import DEFAULT_DIR, load_dir
from stockade.site import SiteConfigError, load_site

_STYLE = {"info": "dim", "low": "cyan", "medium": "yellow", "high": "red", "critical": "bold white on red"}
_MAX_BAD_SHOWN = 50


@app.command("analyze")
def analyze_command(
    files: Annotated[list[Path], typer.Argument(metavar="EVENTS.ndjson…", help="SEF/1 NDJSON files")],
    site_file: Annotated[Path, typer.Option("--site", metavar="SITE.yaml", help="the site file")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line, for machines")] = False,
    playbook_dir: Annotated[Path | None, typer.Option(
        "--playbooks", metavar="DIR", help="playbooks to rehearse (default: the shipped pack)")] = None,
    no_playbooks: Annotated[bool, typer.Option("--no-playbooks", help="detection only")] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Run detection offline over event files and print alerts, incidents and what the playbooks would have done."""
    try:
        site = load_site(site_file)
    except SiteConfigError as e:
        raise fail(f"invalid site file {one_line(e)}") from e
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise fail(f"no such file {', '.join(missing)}; give NDJSON event files that exist")
    playbooks = None
    if not no_playbooks:
        try:
            playbooks = load_dir(playbook_dir or DEFAULT_DIR)
        except PlaybookError as e:
            raise fail(f"invalid playbook {e}") from e
    batch = read_files(files, site=site.site)
    _report_input(batch)
    with meter("analyzing", total=len(batch.events), unit="events", refuses=True, quiet=quiet) as m:
        m.advance(rejected=len(batch.bad))
        result = analyze(site, batch.events, playbooks=playbooks,
                         progress=lambda done: m.advance(done - m.items, items=done - m.items))
    if as_json:
        out = sys.stdout.buffer
        for record in records(result):
            out.write(json_line(record) + b"\n")
        out.flush()
    else:
        _print_tables(Console(), result)
    _err(f"{result.events} events analysed, {len(result.alerts)} alerts, {len(result.incidents)} incidents")


def _err(message: str) -> None:
    """Diagnostics go to stderr unwrapped, one per line, so they can be grepped."""
    typer.echo(message, err=True)


def _red(text: str) -> str:
    return typer.style(text, fg="red")


def _report_input(batch: Batch) -> None:
    for bad in batch.bad[:_MAX_BAD_SHOWN]:
        _err(f"{bad}: {_red('bad line')}")
    if len(batch.bad) > _MAX_BAD_SHOWN:
        _err(f"… and {len(batch.bad) - _MAX_BAD_SHOWN} more bad lines")
    counts = f"{len(batch.events)} valid, {len(batch.bad)} bad, {batch.duplicates} duplicate"
    _err(f"{batch.lines} lines: {counts}")


def _print_tables(console: Console, result: Analysis) -> None:
    alerts = Table("time", "detector", "severity", "summary", title=f"Alerts ({len(result.alerts)})")
    for a in result.alerts:
        alerts.add_row(a.ts.isoformat(), a.detector, f"[{_STYLE[a.severity]}]{a.severity}[/]", a.summary)
    console.print(alerts)
    incidents = Table("incident", "pattern", "severity", "span", "alerts", "summary",
                      title=f"Incidents ({len(result.incidents)})")
    for i in result.incidents:
        span = f"{i.start.isoformat()} → {i.end.isoformat()}"
        incidents.add_row(i.incident, i.pattern, f"[{_STYLE[i.severity]}]{i.severity}[/]", span,
                          str(len(i.alerts)), i.summary)
    console.print(incidents)
    if not result.actions:
        return
    steps = Table("incident", "step", "status", "detail", title="What the playbooks would have done (nothing sent)")
    for state in fold_incidents(sorted([*result.versions, *result.actions], key=lambda e: e.ts)):
        for step in state.steps:
            steps.add_row(state.id, step.id, step.status, step.detail or "")
    console.print(steps)
