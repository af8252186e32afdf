"""``stockade playbook validate [DIR]`` and ``stockade playbook test CASES.yaml``.

    $ stockade playbook validate
    5 playbooks valid in src/stockade/response/playbooks: blind-and-grab, fictitious-pickup, …
    $ stockade playbook test src/stockade/response/playbooks/cases.yaml
    8 cases, 8 passed
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stockade.cli.app import app
from stockade.response.cases import CaseFileError, read_cases, run_cases
from stockade.response.errors import PlaybookError
from stockade.response.playbook import DEFAULT_DIR, load_dir
from stockade.site import SiteConfigError, load_site

playbook_app = typer.Typer(help="Validate and test incident response playbooks.", no_args_is_help=True)
app.add_typer(playbook_app, name="playbook")


@playbook_app.command("validate")
def validate(
    directory: Annotated[Path, typer.Argument(help="playbook directory (*.yaml)")] = DEFAULT_DIR,
) -> None:
    """Load every playbook; the first error names the file, the line and the field."""
    try:
        playbooks = load_dir(directory)
    except PlaybookError as e:
        typer.echo(f"{typer.style('invalid playbook', fg='red')} {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"{len(playbooks)} playbooks valid in {directory}: {', '.join(p.playbook for p in playbooks)}")


@playbook_app.command("test")
def run_tests(
    cases: Annotated[Path, typer.Argument(help="cases YAML file")],
    playbooks: Annotated[Path | None, typer.Option(help="playbook directory; default: the shipped pack")] = None,
    site: Annotated[Path | None, typer.Option(help="site file; default: the one the cases names")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="list the steps of passing cases too")] = False,
) -> None:
    """Run each case's incident through the playbooks and compare the steps with the expected ones."""
    try:
        case_file = read_cases(cases)
        report = run_cases(case_file, load_site(_site_of(cases, case_file.site, site)),
                           load_dir(playbooks or DEFAULT_DIR))
    except (CaseFileError, PlaybookError, SiteConfigError) as e:
        typer.echo(f"{typer.style('error', fg='red')} {e}", err=True)
        raise typer.Exit(2) from e
    for r in report.results:
        mark = typer.style("ok  ", fg="green") if r.ok else typer.style("FAIL", fg="red")
        typer.echo(f"{mark} {r.name}")
        for problem in r.problems:
            typer.echo(f"       {problem}")
        if verbose or not r.ok:
            for step, status in r.steps.items():
                typer.echo(f"       · {step}: {status}")
    failed = len(report.failures)
    typer.echo(f"{len(report.results)} cases, {len(report.results) - failed} passed"
               + (f", {failed} failed" if failed else ""))
    if failed:
        raise typer.Exit(1)


def _site_of(cases: Path, named: str | None, given: Path | None) -> Path:
    if given is not None:
        return given
    if named is None:
        raise CaseFileError(str(cases), "no site: name one in the file (site:) or with --site")
    return cases.parent / named
