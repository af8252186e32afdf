"""The engine loop: applies ``step`` to each site's events in sequence order.

It owns one :class:`~stockade.engine.engine.SiteEngine` per site, consumes the
bus, hands each step's outputs (alerts, incidents) to a sink that appends them
to the site's log, and snapshots every ``snapshot_every`` events so a restart
resumes from the snapshot and the log's tail.

A snapshot is typed data (``engine.snapshot``) that restores only into an
engine built from the same site file and detector catalogue. One that is
refused (another site file, an upgraded catalogue, another format, damage) is
logged with its reason and the site's state is rebuilt from the whole log;
while the rebuild goes over events the refused snapshot had already covered,
outputs are not written again: the log holds what was decided then, and an
upgrade must not raise a flood of alerts about the past.

    >>> loop = EngineLoop(sites, build_engine, sink, snapshots)      # doctest: +SKIP
    >>> loop.replay("dc-demo", store.read("dc-demo", after_seq))       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from stockade.engine.engine import SiteEngine
from stockade.engine.errors import SnapshotRefused
from stockade.events import Envelope
from stockade.events.model import OUTPUT_KINDS
from stockade.site import SiteConfig

# Outputs Stockade writes itself are not fed back, except decisions: they are
# inputs to detection (a refused step-up then a forced door is one story); and
# the ledger watch's actions: a failed ledger check is one (STK-LED-001 reads it).
# Other actions (playbook steps, analysts' changes) are stamped on the wall clock:
# fed to the engine they would move a site's event time (every device "silent",
# every later event "late").
ENGINE_SKIPS = OUTPUT_KINDS - {"decision", "action"}
ENGINE_ACTION_SOURCES = frozenset({"stockade:ledger"})


def engine_skips(event: Envelope) -> bool:
    """Whether the engine leaves this committed event out (Stockade's own outputs, but those above)."""
    return event.kind in ENGINE_SKIPS or (event.kind == "action" and event.source not in ENGINE_ACTION_SOURCES)

OutputSink = Callable[[str, Sequence[Envelope]], None]

ALLOWED_LATENESS = timedelta(minutes=15)
"""How far behind a site's event-time clock an event may be and still be detected on.

The clock (the watermark) is the latest event time the engine has applied. An event older
than ``clock - ALLOWED_LATENESS`` is *late*: it is kept in the log (it is the truth) and
queryable, flagged ``late`` in the ingest answer and counted in ``stockade_late_events_total``,
but the live engine shows it to no detector, because the world they would compare it with
has moved on — a camera "still down 5 days later" or a lone forced
door read as the end of a blind-and-grab are findings only the out-of-order arrival made.
Of a late event the engine folds only an admin event's facts (who may be where), as the decision
point does (:meth:`stockade.engine.engine.SiteEngine.fold_late`).
History goes in with ``stockade ingest --backfill``, which runs the late events through a fresh
engine in event-time order, as ``stockade analyze`` does. 15 minutes is three times the
5 minutes an event may be ahead of the server, so an event stamped 5 minutes ahead cannot make
the events of honest devices late (see docs/events.md).
"""


def is_late(clock: datetime | None, ts: datetime) -> bool:
    """Whether an event at ``ts`` is late against a site's event-time clock."""
    return clock is not None and ts < clock - ALLOWED_LATENESS


class Snapshots(Protocol):
    def save_snapshot(self, site: str, seq: int, data: bytes) -> None: ...

    def load_snapshot(self, site: str) -> tuple[int, bytes] | None: ...


class EngineLoop:
    def __init__(
        self,
        sites: Mapping[str, SiteConfig],
        make_engine: Callable[[SiteConfig], SiteEngine],
        sink: OutputSink,
        snapshots: Snapshots,
        snapshot_every: int = 50_000,
    ) -> None:
        self._sites = sites
        self._make_engine = make_engine
        self._sink = sink
        self._snapshots = snapshots
        self._snapshot_every = snapshot_every
        self.engines: dict[str, SiteEngine] = {}
        self.last_seq: dict[str, int] = {}
        self._since_snapshot: dict[str, int] = {}
        self.late: dict[str, int] = {}  # late events not stepped, since this loop started
        self.refused: dict[str, str] = {}  # site -> why its snapshot was refused (rebuilt from the log)
        self._quiet_until: dict[str, int] = {}  # site -> log position up to which outputs are not rewritten

    def engine(self, site: str) -> SiteEngine:
        engine = self.engines.get(site)
        if engine is None:
            engine = self._resume(site)
            self.engines[site] = engine
        return engine

    def _resume(self, site: str) -> SiteEngine:
        config = self._sites[site]
        self.last_seq[site] = 0
        self.refused.pop(site, None)
        saved = self._snapshots.load_snapshot(site)
        engine = self._make_engine(config)
        if saved is None:
            return engine
        seq, data = saved
        try:
            engine.restore(data)
        except SnapshotRefused as e:  # the runner's caller logs it, with the rebuild's progress
            self.refused[site] = f"{e.reason} (snapshot at log position {seq})"
            self._quiet_until[site] = seq
            return self._make_engine(config)  # a fresh one: a refused restore may have loaded a part
        self.last_seq[site] = seq
        return engine

    def apply(self, site: str, seq: int, event: Envelope) -> list[Envelope]:
        """Step one committed event; events at or below the last applied seq are skipped."""
        engine = self.engine(site)
        if seq <= self.last_seq.get(site, 0):
            return []
        try:
            if engine_skips(event):
                outputs: list[Envelope] = []
            elif is_late(engine.state.clock.now, event.ts):
                outputs = []
                self.late[site] = self.late.get(site, 0) + 1
                engine.fold_late(event)
            else:
                outputs = engine.step(event, seq)
            if outputs:
                if seq > self._quiet_until.get(site, 0):
                    self._sink(site, outputs)
                else:
                    outputs = []
        finally:
            # applied only once its outputs are written: a reader waiting for the engine to have applied
            # ``seq`` (``Node.wait_for_engine``) must find its alerts in the store, not just after
            self.last_seq[site] = seq
        count = self._since_snapshot.get(site, 0) + 1
        if count >= self._snapshot_every:
            self.snapshot(site)
            count = 0
        self._since_snapshot[site] = count
        return outputs

    def snapshot(self, site: str) -> None:
        engine = self.engines.get(site)
        if engine is not None:
            self._snapshots.save_snapshot(site, self.last_seq[site], engine.snapshot())

    def replay(self, site: str, events: Iterable[tuple[int, Envelope]]) -> int:
        """Apply a site's log tail (after a restart); returns how many events were applied."""
        n = 0
        for seq, event in events:
            self.apply(site, seq, event)
            n += 1
        return n
