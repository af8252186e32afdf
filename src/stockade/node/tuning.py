"""Process-wide settings of a node's processes, applied by their entry points (never at import)."""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_S = 0.001
"""How long a thread may keep the GIL while another waits for it (Python's default: 5 ms). A
decision's request passes between the event loop and a worker thread several times; each time it
waited up to the whole interval behind a thread validating an ingest batch (issue 11.8)."""


def tune_gc() -> None:
    """Collect cycles less often: a node allocates many short-lived objects per event and keeps
    few cycles, and the default thresholds spend about a fifth of ingest in the collector
    (measured with ``bench/bench_ingest.py``: 49,000 → 61,000 events/s). And hand the GIL on
    sooner (:data:`SWITCH_INTERVAL_S`), so a decision does not wait behind ingest's Python."""
    gc.set_threshold(50_000, 20, 100)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
