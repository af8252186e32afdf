"""The long commands' progress bar: on a terminal it shows the work, its rate and the refusals;
with ``--quiet`` or off a terminal it draws nothing (stdout and stderr stay parseable)."""

from __future__ import annotations

import io

from rich.console import Console

from stockade.cli.progress import meter, shown


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=160), buffer


def test_a_terminal_sees_the_count_the_rate_and_the_refusals() -> None:
    console, buffer = _console(terminal=True)
    with meter("ingest", total=100, unit="events", refuses=True, console=console) as m:
        m.advance(60, items=1_500, rejected=3)
        m.advance(40, items=500, rejected=1)
    text = buffer.getvalue()
    assert "ingest" in text
    assert "2,000 events" in text
    assert "4 rejected" in text
    assert "/s" in text
    assert "100%" in text


def test_quiet_or_no_terminal_draws_nothing() -> None:
    for terminal, quiet in ((True, True), (False, False)):
        console, buffer = _console(terminal)
        assert not shown(quiet, console)
        with meter("ingest", total=10, quiet=quiet, console=console) as m:
            m.advance(10, items=10)
        assert buffer.getvalue() == ""
