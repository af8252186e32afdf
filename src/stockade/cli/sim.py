"""``stockade simulate`` and ``stockade eval``: the proving ground and its scorecard."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stockade.cli.app import app
from stockade.cli.common import console, err, fail
from stockade.cli.errors import one_line
from stockade.cli.progress import Meter, meter
from stockade.events import Envelope
from stockade.ledger.devices import DeviceKeys, parse_public_key
from stockade.sim.emit import Sink
from stockade.sim.errors import ScenarioError
from stockade.sim.eval import eval_files, eval_scenario, scenario_paths
from stockade.sim.labels import write_labels
from stockade.sim.run import FileSink, simulate
from stockade.sim.scenario import Scenario, load_scenario
from stockade.sim.score import Report, combine, groups, report_json
from stockade.site import SiteConfigError


def keys_path_for(out: Path) -> Path:
    """Where ``simulate`` writes the device keys by default: beside the events (events.ndjson -> events.keys.json)."""
    return out.with_name(f"{out.stem}.keys.json")


@app.command("simulate")
def simulate_cmd(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML")],
    out: Annotated[Path, typer.Option(help="events, NDJSON")] = Path("events.ndjson"),
    labels: Annotated[Path, typer.Option(help="ground truth, JSON")] = Path("labels.json"),
    seed: Annotated[int | None, typer.Option(help="override the scenario's seed")] = None,
    keys: Annotated[Path | None, typer.Option(
        "--keys-out", "--keys", help="where to write the signing devices' public keys, for `stockade keys import` "
        "(default: beside --out, events.ndjson -> events.keys.json; only when the scenario signs)")] = None,
    site_out: Annotated[Path | None, typer.Option(help="write the staffed site file used (YAML)")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Simulate a warehouse and its attacks: SEF/1 events plus ground-truth labels."""
    sc = load_scenario(scenario)  # ScenarioError: one line naming the file, the field and the problem
    if seed is not None:
        sc.model = sc.model.model_copy(update={"seed": seed})
    started = time.perf_counter()
    with out.open("wb") as f, meter("simulating", total=sc.duration_s, unit="events", quiet=quiet) as m:
        result = simulate(sc, _Metered(FileSink(f), sc, m))
    took = time.perf_counter() - started
    write_labels(result.labels, labels)
    if site_out is not None:
        import yaml

        site_out.write_text(yaml.safe_dump(result.site.model_dump(mode="json", exclude_none=True),
                                           sort_keys=False), encoding="utf-8")
    console.print(f"{result.events:,} events -> {out} in {took:.1f} s ({result.events / max(took, 1e-9):,.0f}/s); "
                  f"{len(result.labels)} attacks -> {labels}")
    if result.public_keys:
        keys = keys or keys_path_for(out)
        DeviceKeys(keys, {s: parse_public_key(k) for s, k in result.public_keys.items()}).save()
        console.print(f"{len(result.public_keys)} devices sign their events; their public keys -> {keys} "
                      f"(register them: stockade keys import {keys})", soft_wrap=True, highlight=False)


class _Metered:
    """A sink that moves the bar: events written, and how far into the scenario's time they are."""

    def __init__(self, sink: Sink, sc: Scenario, m: Meter) -> None:
        self._sink = sink
        self._start = sc.model.start
        self._m = m
        self._at = 0.0

    def write(self, batch: list[Envelope]) -> None:
        self._sink.write(batch)
        if batch:
            self._at = max(self._at, (max(e.ts for e in batch) - self._start).total_seconds())
        self._m.advance(items=len(batch))
        self._m.set(self._at)


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:.2f}" if pct else f"{x:.0f}"


def _table(reports: list[Report], total: Report) -> None:
    per = Table("attack type", "attacks", "detected", "recall", "precision", "TTD median s", "TTD p90 s",
                title="Per attack type")
    for t, f in sorted(total.by_type.items()):
        per.add_row(t, str(f.attacks), str(f.detected), _fmt(f.recall, True), _fmt(f.precision, True),
                    _fmt(f.ttd_median_s), _fmt(f.ttd_p90_s))
    console.print(per)
    sc = Table("scenario", "attacks", "detected", "incidents", "false", "person-h", "false/1000 ph",
               title="Per scenario")
    for r in [*reports, total]:
        sc.add_row(r.name, str(r.overall.attacks), str(r.overall.detected), str(r.overall.incidents),
                   str(r.false_incidents), _fmt(r.person_hours), _fmt(r.false_per_1000h, True))
    console.print(sc)
    tiers = Table("tier / site kind", "attacks", "recall", "prec.", "false", "per 1000 ph", "TTD med s",
                  "TTD p90 s", title="Per tier and site kind")
    for name, g in groups(reports).items():
        f = g.overall
        tiers.add_row(name, str(f.attacks), _fmt(f.recall, True), _fmt(f.precision, True), str(g.false_incidents),
                      _fmt(g.false_per_1000h, True), _fmt(f.ttd_median_s), _fmt(f.ttd_p90_s))
    console.print(tiers)
    o = total.overall
    console.print(f"overall: recall {_fmt(o.recall, True)}, precision {_fmt(o.precision, True)}, "
                  f"false incidents/1000 person-hours {_fmt(total.false_per_1000h, True)}, "
                  f"TTD median {_fmt(o.ttd_median_s)} s, p90 {_fmt(o.ttd_p90_s)} s")


@app.command("eval")
def eval_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="scenario files or directories")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
    labels: Annotated[Path | None, typer.Option(help="labels.json to score against")] = None,
    incidents: Annotated[Path | None, typer.Option(help="analyze --json output to score")] = None,
    events: Annotated[Path | None, typer.Option(help="with --labels: events, for person-hours")] = None,
    person_hours: Annotated[float | None, typer.Option(help="with --labels: attack-free person-hours")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Score detection: simulate scenarios and analyze them, or score given incidents against labels."""
    try:
        if labels is not None or incidents is not None:
            if labels is None or incidents is None:
                raise fail("--labels and --incidents go together: give both, or neither to simulate scenarios")
            reports = [eval_files(labels, incidents, events=events, person_hours=person_hours)]
        else:
            files = scenario_paths(paths or [Path("examples/scenarios")])
            if not files:
                raise fail(f"no scenario files in {', '.join(str(p) for p in paths or [Path('examples/scenarios')])}; "
                           "give scenario YAML files or directories")
            reports = []
            with meter("evaluating", total=len(files), unit="scenarios", quiet=quiet) as m:
                for f in files:
                    if not as_json:
                        err.print(f"evaluating {f} ...")
                    reports.append(eval_scenario(f))
                    m.advance(1, items=1)
    except (ScenarioError, SiteConfigError) as e:
        raise fail(f"cannot evaluate: {one_line(e)}") from e
    total = combine(reports)
    if as_json:
        print(json.dumps({"scenarios": [report_json(r) for r in reports], "overall": report_json(total),
                          "groups": {k: report_json(g) for k, g in groups(reports).items()}}))
    else:
        _table(reports, total)
