"""STK-DEV-002: a gap in a source's sequence numbers — events lost or suppressed.

``seq`` is a per-source counter that may start anywhere; gaps count from the
first value seen. A gap is judged ``settle_s`` of event time later, so events
that arrive slightly out of order fill it first. A drop back to 0 or 1 is a
restart, not a gap.

    Source C-DOCKOUT-1 skipped 37 sequence numbers (1208-1244) between 02:01 and 02:19: events lost or
      suppressed
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.engine.state import SiteState
from stockade.events import Alert, Envelope
from stockade.events.model import Severity


class SequenceGapParams(Params, frozen=True):
    settle_s: float = 5
    min_missing: int = 1
    severity: Severity = "medium"
    large: Severity = "high"
    large_gap: int = 10


Gap = tuple[str, int, int, datetime, str, str]  # source, first missing, last missing, ts, event before, after


class SequenceGapMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    pending: list[Gap]
    missing: dict[str, set[int]]
    last_id: dict[str, str]


class SequenceGap(DetectorBase[SequenceGapParams]):
    id = "STK-DEV-002"
    kinds = frozenset({"*"})
    params_type = SequenceGapParams
    memory_type = SequenceGapMemory

    def setup(self) -> None:
        self._pending: list[Gap] = []
        self._missing: dict[str, set[int]] = {}  # source -> seqs still missing from pending gaps
        self._last_id: dict[str, str] = {}

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        out: list[Alert] = []
        if self._pending:
            self._settle(state, out)
        seq = event.seq
        if seq is None:
            return out
        source = event.source
        last = state.devices.seq.get(source)
        prev_id = self._last_id.get(source, "")
        self._last_id[source] = event.id
        if last is None or seq <= 1:
            return out
        if seq <= last:
            missing = self._missing.get(source)
            if missing is not None:
                missing.discard(seq)
            return out
        if seq > last + 1:
            first, end = last + 1, seq - 1
            if end - first < 100_000:
                self._missing.setdefault(source, set()).update(range(first, end + 1))
            self._pending.append((source, first, end, event.ts, prev_id, event.id))
        return out

    def _settle(self, state: SiteState, out: list[Alert]) -> None:
        now = state.clock.current()
        wait = timedelta(seconds=self.params.settle_s)
        keep: list[Gap] = []
        for gap in self._pending:
            if now - gap[3] < wait:
                keep.append(gap)
                continue
            source, first, end, ts, before, after = gap
            missing = self._missing.get(source, set())
            lost = [n for n in range(first, end + 1) if n in missing] if end - first < 100_000 else []
            count = len(lost) if end - first < 100_000 else end - first + 1
            missing.difference_update(range(first, end + 1))
            if count >= self.params.min_missing:
                out.append(self._alert(state, gap, count))
        self._pending = keep

    def _alert(self, state: SiteState, gap: Gap, count: int) -> Alert:
        source, first, end, ts, before, after = gap
        p = self.params
        severity = p.large if count >= p.large_gap else p.severity
        rng = f"{first}" if first == end else f"{first}-{end}"
        device = source if state.devices.kind_of(source) else None
        summary = (
            f"Source {source} skipped {count} sequence number(s) ({rng}) before {clock(state, ts)}:"
            " events lost or suppressed. Check the device and its link."
        )
        return self.alert(state, ts, severity, summary, [before, after], devices=[device or source])
