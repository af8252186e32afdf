"""``stockade witness serve|trust-log|add-peer|vkey``: run a C2SP tlog-witness, and use witnesses.

    stockade witness trust-log stockade/partner-dc 'stockade/partner-dc+ab12cd34+AT...'
    stockade witness serve --port 8181
    stockade witness add-peer https://witness.partner.example 'witness.partner/w1+...+BA...'
"""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, fail
from stockade.cli.keys import data_path
from stockade.ledger.errors import LedgerError
from stockade.ledger.keys import load_or_create_witness_key
from stockade.ledger.vkey import parse_vkey
from stockade.ledger.witness import TrustedLog, Witness, WitnessConfig, load_witness_config, save_witness_config
from stockade.ledger.witnessing import WitnessPeer, load_peers, save_peers

witness_app = typer.Typer(help="Witness partner logs, and have witnesses cosign ours.", no_args_is_help=True)
app.add_typer(witness_app, name="witness")


def _witness(data_dir: DataDir) -> Witness:
    data = data_path(data_dir)
    try:
        config = load_witness_config(data / "witness.json")
        return Witness(config.name, load_or_create_witness_key(data / "keys"), config.logs, data / "witness")
    except LedgerError as e:
        raise fail(str(e)) from e


@witness_app.command("serve")
def serve(data_dir: DataDir = None, host: str = "127.0.0.1", port: int = 8181) -> None:
    """Serve POST /add-checkpoint (C2SP tlog-witness) for the trusted partner logs."""
    witness = _witness(data_dir)
    if not witness.logs:
        console.print("[yellow]no partner log is trusted yet[/yellow]: `stockade witness trust-log ORIGIN VKEY`")
    console.print(f"witness {witness.vkey}")
    from stockade.api.witness import create_witness_app  # the web stack, for this command only

    uvicorn.run(create_witness_app(witness), host=host, port=port, log_level="info")


@witness_app.command("trust-log")
def trust_log(origin: str, vkeys: Annotated[list[str], typer.Argument(help="the log's vkey(s)")],
              data_dir: DataDir = None,
              name: Annotated[str | None, typer.Option(help="this witness's key name")] = None) -> None:
    """Cosign checkpoints of the log ORIGIN signed by one of VKEYS."""
    path = data_path(data_dir) / "witness.json"
    try:
        config = load_witness_config(path)
        logs = [t for t in config.logs if t.origin != origin]
        logs.append(TrustedLog(origin, tuple(parse_vkey(v) for v in vkeys)))
        save_witness_config(path, WitnessConfig(name or config.name, tuple(logs)))
    except LedgerError as e:
        raise fail(str(e)) from e
    console.print(f"witnessing {origin} ({len(vkeys)} keys) — config in {path}")


@witness_app.command("vkey")
def vkey(data_dir: DataDir = None) -> None:
    """Print this witness's cosignature/v1 verifier key (give it to the partner)."""
    print(_witness(data_dir).vkey)


@witness_app.command("add-peer")
def add_peer(url: str, vkey: Annotated[str, typer.Argument(help="the witness's cosignature vkey")],
             data_dir: DataDir = None) -> None:
    """Ask the witness at URL to cosign our checkpoints (`stockade ledger checkpoint`)."""
    path = data_path(data_dir) / "witnesses.json"
    try:
        peers = [p for p in load_peers(path) if p.url != url] + [WitnessPeer(url, parse_vkey(vkey))]
        save_peers(path, peers)
    except LedgerError as e:
        raise fail(str(e)) from e
    console.print(f"{len(peers)} witnesses configured in {path}")
