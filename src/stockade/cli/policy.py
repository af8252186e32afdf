"""``stockade policy validate [DIR]`` and ``stockade policy test CASES.yaml``.

    $ stockade policy validate                       # the default pack
    $ stockade policy validate ./policies --site examples/sites/dc-demo.yaml
    $ stockade policy test src/stockade/access/policies/cases.yaml --site examples/sites/dc-demo.yaml

``validate`` parses the pack, checks it against its schema (and, with
``--site``, checks the site's entities against the schema too). ``test`` runs
table-driven cases and exits 1 when any case fails, printing what was expected
and what came back; it exits 2 when a file cannot be used at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from stockade.access.cases import CaseReport, run_cases
from stockade.access.context import SiteModel
from stockade.access.errors import AccessError
from stockade.access.pack import DEFAULT_POLICY_DIR, load_pack
from stockade.cli.app import app
from stockade.cli.common import console, fail
from stockade.cli.errors import one_line
from stockade.site import SiteConfigError, load_site

policy_app = typer.Typer(help="Validate and test access policies (Cedar).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("validate")
def validate(
    directory: Annotated[Path, typer.Argument(help="policy directory (*.cedar + schema.cedarschema)")] = (
        DEFAULT_POLICY_DIR
    ),
    site: Annotated[Path | None, typer.Option(help="also check this site file's entities")] = None,
) -> None:
    """Parse a policy pack and validate it against its schema."""
    try:
        pack = load_pack(directory)
        if site is not None:
            SiteModel.of(load_site(site), pack.schema)
    except (AccessError, SiteConfigError) as e:
        raise fail(f"invalid {one_line(e)}", code=1) from e  # the answer is "no": exit 1
    except ValueError as e:  # cedarpy: the site's entities do not fit the schema
        raise fail(f"site entities do not fit the schema: {one_line(e)}", code=1) from e
    console.print(f"[green]valid[/green] {len(pack.ids)} policies in {len(pack.files)} files, "
                  f"{pack.hash}")
    for info in pack.by_cedar_id.values():
        step = f" (step-up: {info.step_up})" if info.step_up else ""
        console.print(f"  {info.effect:<6} {info.id}{step}")


@policy_app.command("test")
def run_tests(
    cases: Annotated[Path, typer.Argument(help="cases YAML file")],
    policies: Annotated[Path | None, typer.Option(help="policy directory; default: the shipped pack")] = None,
    site: Annotated[Path | None, typer.Option(help="site file; default: the one the cases names")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="list passing cases too")] = False,
) -> None:
    """Run table-driven policy cases: request -> expected decision and reason."""
    try:
        report = run_cases(cases, policies=policies, site=site)
    except (AccessError, SiteConfigError) as e:
        raise fail(f"cannot run the cases: {one_line(e)}") from e
    _print(report, verbose)
    if not report.ok:
        raise typer.Exit(1)


def _print(report: CaseReport, verbose: bool) -> None:
    table = Table("", "case", "result", "policies", title=f"{report.site} · {report.policy_hash[:19]}…")
    for r in report.results:
        if r.ok and not verbose:
            continue
        got = r.answer.result + (f" ({r.answer.step_up})" if r.answer.step_up else "")
        table.add_row("[green]ok[/green]" if r.ok else "[red]FAIL[/red]", escape(r.name), got,
                      escape(", ".join(r.answer.policies)))
    if table.rows:
        console.print(table)
    for r in report.failures:
        console.print(f"[red]FAIL[/red] {r.name}")
        for problem in r.problems:
            console.print(f"  - {escape(problem)}")
        got = r.answer.result + (f" step_up={r.answer.step_up}" if r.answer.step_up else "")
        console.print(escape(f"  got: {got} policies=[{', '.join(r.answer.policies)}]"))
        for reason in r.answer.reasons:
            console.print(f"       {escape(reason)}")
    passed = len(report.results) - len(report.failures)
    colour = "green" if report.ok else "red"
    console.print(f"[{colour}]{passed} passed, {len(report.failures)} failed[/{colour}] "
                  f"of {len(report.results)} cases")
