"""What the detectors beyond the catalogue cost (issue 12): the engine alone, with and without them, one run.

The engine (every detector, correlation, risk) steps the simulated quiet week, then the mixed week
(attacks raise alerts, so correlation works too), in two configurations interleaved, each repeated:

* ``without``: the catalogue as it was, STK-ACC-006, STK-INV-006 and STK-INV-007 turned off;
* ``with``: every registered detector.

    python -m bench detection

Prints the median events/s of each, their ratio and the alerts raised (the work done).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

from bench.harness import print_table
from stockade.detectors.registry import all_detectors
from stockade.engine.correlation import Correlator
from stockade.engine.engine import SiteEngine
from stockade.engine.risk import RiskModel
from stockade.events import Alert, Envelope
from stockade.sim.run import ListSink, simulate
from stockade.sim.scenario import load_scenario
from stockade.site import SiteConfig

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [ROOT / "examples" / "scenarios" / "quiet-week.yaml", ROOT / "examples" / "scenarios" / "mixed-week.yaml"]
NEW = ("STK-ACC-006", "STK-INV-006", "STK-INV-007")


def _run(site: SiteConfig, events: list[Envelope], new_on: bool) -> tuple[float, int]:
    params = {} if new_on else {d: {"enabled": False} for d in NEW}
    engine = SiteEngine(site, detectors=all_detectors(params), correlator=Correlator(site), risk=RiskModel(site))
    gc.collect()
    alerts = 0
    start = time.perf_counter()
    for n, ev in enumerate(events, 1):
        for out in engine.step(ev, n):
            alerts += isinstance(out, Alert)
    return len(events) / (time.perf_counter() - start), alerts


def main(repeats: int = 5) -> dict[str, Any]:
    loads = []
    for path in SCENARIOS:
        sink = ListSink()
        result = simulate(load_scenario(path), sink)
        loads.append((path.stem, result.site, sink.events))
    rows: list[tuple[str, str, str]] = []
    figures: dict[str, Any] = {}
    for name, site, events in loads:
        rates: dict[bool, list[float]] = {False: [], True: []}
        alerts: dict[bool, int] = {}
        for _ in range(repeats):
            for on in (False, True):
                rate, alerts[on] = _run(site, events, on)
                rates[on].append(rate)
        med = {on: sorted(v)[len(v) // 2] for on, v in rates.items()}
        figures[name] = {"events": len(events), "without_eps": med[False], "with_eps": med[True],
                         "ratio": med[True] / med[False], "alerts_without": alerts[False], "alerts_with": alerts[True]}
        rows += [
            (f"{name}: engine, catalogue only", f"{med[False]:,.0f} ev/s", f"{alerts[False]} alerts"),
            (f"{name}: engine, with ACC-006, INV-006, INV-007", f"{med[True]:,.0f} ev/s", f"{alerts[True]} alerts"),
            (f"{name}: with / without", f"{med[True] / med[False]:.2f}", f"median of {repeats}, interleaved"),
        ]
    print_table(f"Detection beyond the catalogue: the engine alone ({', '.join(n for n, _, _ in loads)})", rows)
    return figures


if __name__ == "__main__":
    main()
