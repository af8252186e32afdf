"""How an expected error reaches the user: one line on stderr, exit code 2.

    StockadeError                     (stockade.errors: the root of every error raised on purpose)
    └── CommandError                  a command cannot do what was asked; the message says what to do

Every ``StockadeError`` that leaves a command — a bad site file, a data directory
a running node holds, a proof that does not parse, or a :class:`CommandError`
raised by the command itself — is caught once, in :class:`StockadeGroup` (the
root command of ``stockade``), and printed as::

    error: stockade-data is in use by another Stockade process (pid 4242); stop it, or send ...

A file the user named that cannot be read (``OSError`` with a file name) is an
expected error too. Anything else is a bug and keeps its traceback.

Exit codes: 0 done; 1 the command ran and its answer is "no" (a log or a proof
that does not verify, an audit finding, a failing policy case, rejected
lines); 2 the command could not run as asked (this module, and click's usage
errors).

``typer.Exit`` (the command chose its exit code) passes through untouched.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from stockade.errors import StockadeError
from stockade.site import SiteConfigError
from stockade.store import StoreError

USAGE = 2
"""The exit code of an expected error."""

_HINTS: tuple[tuple[type[StockadeError], str], ...] = (
    (SiteConfigError, "fix the site file and run again"),
    (StoreError, "check the data directory (--data-dir, stockade.toml) or the PostgreSQL settings"),
)


class CommandError(StockadeError):
    """A command cannot do what was asked. ``code`` is the exit status (2 unless the answer is "no")."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


def one_line(error: BaseException) -> str:
    """The error as a single line: a multi-line message (a site file's problems) joined with '; '."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"cannot use {error.filename}: {error.strerror or error}"
    parts = [p.strip() for p in str(error).splitlines() if p.strip()]
    text = parts[0].rstrip(":") + (": " + "; ".join(parts[1:]) if len(parts) > 1 else "") if parts else ""
    text = text or type(error).__name__
    for kind, hint in _HINTS:
        if isinstance(error, kind) and hint not in text:
            text = f"{text} ({hint})"
    return text


def report(error: BaseException, console: Console) -> int:
    """Print ``error: …`` on one line and return the exit code to use."""
    console.print(Text.assemble(("error: ", "red"), one_line(error)), soft_wrap=True, highlight=False)
    return error.code if isinstance(error, CommandError) else USAGE


class StockadeGroup(TyperGroup):
    """The root command: turns every expected error of every subcommand into one line and exit 2."""

    def invoke(self, ctx: Any) -> Any:  # typer's (vendored) click.Context
        try:
            return super().invoke(ctx)
        except StockadeError as e:
            raise typer.Exit(report(e, Console(stderr=True))) from e
        except OSError as e:
            if e.filename is None:  # not about a file the user named: a bug, keep the traceback
                raise
            raise typer.Exit(report(e, Console(stderr=True))) from e
