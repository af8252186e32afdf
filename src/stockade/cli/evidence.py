"""``stockade evidence verify BUNDLE --vkey KEY``: check an evidence bundle offline.

    $ stockade evidence verify stockade-data/evidence/dc-demo/inc-….evidence.json --vkey 'stockade/dc-demo+…'
    OK inc-14affcce1b718d95 at dc-demo: 214 events and 3 clips, every proof checks against the checkpoint
       of stockade/dc-demo at size 21462; exported by playbook:blind-and-grab

A changed byte is refused, naming the first bad byte, event, proof or the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stockade.cli.app import app
from stockade.ledger.errors import LedgerError
from stockade.ledger.vkey import parse_vkey
from stockade.response.evidence import EvidenceError, verify_bundle

evidence_app = typer.Typer(help="Evidence bundles of incidents.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("verify")
def verify(
    bundle: Annotated[Path, typer.Argument(help="the bundle file (*.evidence.json)")],
    vkeys: Annotated[list[str], typer.Option("--vkey", help="the log's verifier key (`stockade keys show --vkey`)")],
) -> None:
    """Check every event's inclusion proof and the custody record against the bundle's signed checkpoint."""
    try:
        verifiers = [parse_vkey(v) for v in vkeys]
        data = bundle.read_bytes()
    except (LedgerError, OSError) as e:
        typer.echo(f"{typer.style('error', fg='red')} {e}", err=True)
        raise typer.Exit(2) from e
    try:
        ok = verify_bundle(data, verifiers)
    except EvidenceError as e:
        typer.echo(f"{typer.style('REFUSED', fg='red')} {bundle}: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"OK {ok.incident} at {ok.site}: {ok.events} events and {ok.clips} clips, every proof checks "
               f"against the checkpoint of {ok.checkpoint.origin} at size {ok.checkpoint.size}; "
               f"exported by {ok.exported_by}")
