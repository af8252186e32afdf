"""Options and helpers shared by command modules."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from stockade.cli.errors import USAGE, CommandError
from stockade.node.settings import Settings

console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="data directory (default from stockade.toml or ./stockade-data)"),
]


def settings_for(data_dir: Path | None, **overrides: object) -> Settings:
    """Settings from stockade.toml and STOCKADE_* with the command line's overrides on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        given["data_dir"] = data_dir
    try:
        return Settings(**given)  # type: ignore[arg-type]  # pydantic-settings takes its fields as keywords
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(x) for x in p['loc']) or '(settings)'}: {p['msg']}" for p in e.errors())
        raise fail(f"the node settings are not valid ({problems}); fix stockade.toml "
                   "or the STOCKADE_* variables") from e
    except tomllib.TOMLDecodeError as e:
        raise fail(f"stockade.toml is not valid TOML ({e}); fix it or remove it") from e


def fail(message: str, code: int = USAGE) -> CommandError:
    """The error to raise when a command cannot do what was asked (printed once, on one line, by
    :class:`stockade.cli.errors.StockadeGroup`): ``raise fail("no site 'x'; run `stockade site load FILE`")``."""
    return CommandError(message, code)
