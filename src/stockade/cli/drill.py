"""``stockade drill SCENARIO [--ack-after 90s]``: a simulated attack, the playbooks in drill mode, a scorecard.

    $ stockade drill examples/scenarios/attack-blind-and-grab.yaml
    incident              pattern         detect  acknowledge  contain  steps  failed  escalated  target
    inc-…                 blind_and_grab  0 s     —            —        9      …       yes        missed

Nothing is sent to a door, a WMS or a webhook (the ports record); every action
is marked ``drill`` in the log. Targets: detect within 60 s, acknowledge within
3 minutes (TAPA FSR), no failed step. Exit status 1 when a target is missed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stockade.cli.app import app
from stockade.cli.common import console, fail
from stockade.response.durations import seconds
from stockade.sim.drill import ACK_TARGET_S, DETECT_TARGET_S, run_drill
from stockade.sim.errors import ScenarioError
from stockade.sim.scenario import load_scenario
from stockade.site import SiteConfigError


def _s(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f} s"


@app.command("drill")
def drill(
    scenario: Annotated[Path, typer.Argument(help="a simulator scenario (examples/scenarios/*.yaml)")],
    ack_after: Annotated[str | None, typer.Option(help="the desk acknowledges each incident this long after "
                                                       "it opens (e.g. 90s); default: nobody does")] = None,
    playbooks: Annotated[Path | None, typer.Option(help="playbook directory; default: the shipped pack")] = None,
) -> None:
    """Run a simulated attack through a node with its playbooks in drill mode and print a scorecard."""
    try:
        sc = load_scenario(scenario)
        delay = timedelta(seconds=seconds(ack_after)) if ack_after is not None else None
    except (ScenarioError, SiteConfigError, ValueError) as e:
        raise fail(str(e), 2) from e
    card = run_drill(sc, ack_after=delay, playbook_dir=playbooks)
    table = Table("incident", "pattern", "detect", "acknowledge", "contain", "steps", "failed", "escalated",
                  "target", title=f"Drill {card.scenario}: {card.events:,} events, "
                                  f"{card.requests} requests recorded by the drill ports (none sent)")
    for r in card.rows:
        table.add_row(r.incident, r.pattern, _s(r.detect_s), _s(r.acknowledge_s), _s(r.contain_s), str(r.steps),
                      ", ".join(r.failed) or "none", "yes" if r.escalated else "no",
                      "[green]met[/]" if r.met else "[red]missed[/]")
    console.print(table)
    console.print(f"targets: detect ≤ {DETECT_TARGET_S:.0f} s, acknowledge ≤ {ACK_TARGET_S / 60:.0f} min "
                  "(TAPA FSR), no failed step; response actions not marked drill: "
                  f"{card.unmarked}")
    if card.unmarked or not card.rows or not all(r.met for r in card.rows):
        raise typer.Exit(1)
