"""The Typer application every command module registers on."""

from __future__ import annotations

import typer

from stockade.cli.errors import StockadeGroup

app = typer.Typer(
    name="stockade",
    cls=StockadeGroup,  # every expected error of every command: one line, exit 2
    help="Stockade: one ordered, tamper-evident log of a warehouse's security events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
