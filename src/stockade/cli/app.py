"""The Typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="stockade",
    help="Stockade: one ordered, tamper-evident log of a warehouse's security events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
