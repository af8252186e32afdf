"""Tag bursts: many EPCs of one kind of trouble at one place, reported once and then by steps.

A pallet of stolen goods passes a portal as dozens of reads in a minute; a
guard wants one alert at the first tag and a fresh one when the count says it
is a pallet, not a hundred alerts. :class:`Burst` collects the EPCs of one key
(a reader, a zone) while they keep coming within ``gap_s``, and says when a
step of ``steps`` is reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Burst:
    start_ms: int
    last_ms: int
    epcs: dict[str, str] = field(default_factory=dict)  # epc -> first event id
    reported: int = 0  # the step already reported


class Bursts:
    def __init__(self, gap_s: float, steps: tuple[int, ...]) -> None:
        self.gap_ms = int(gap_s * 1000)
        self.steps = steps
        self.open: dict[str, Burst] = {}

    def add(self, key: str, epc: str, event_id: str, ms: int) -> Burst | None:
        """Add one EPC; return the burst when it just reached a new step."""
        b = self.open.get(key)
        if b is None or ms - b.last_ms > self.gap_ms:
            b = self.open[key] = Burst(ms, ms)
        b.last_ms = max(b.last_ms, ms)
        if epc in b.epcs:
            return None
        b.epcs[epc] = event_id
        n = len(b.epcs)
        step = max((s for s in self.steps if s <= n), default=0)
        if step > b.reported:
            b.reported = step
            return b
        return None
