"""The engine worker process: the other end of :class:`~stockade.node.engine_process.EngineProcess`.

It runs the same :class:`~stockade.pipeline.loop.EngineLoop` as an in-thread
engine, on the messages of :mod:`stockade.node.protocol`, keeps the store's
entity index, and answers with outputs, risk weights and snapshots. It ignores
SIGINT and, on SIGTERM, waits for the node's ``Stop`` (at most
:data:`TERM_GRACE_S`); batches still queued when the node raises ``halt`` are
left unapplied (the log keeps them for the next start).
"""

from __future__ import annotations

import logging
import os
import signal
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import FrameType
from typing import Protocol

from stockade.engine.risk import RiskSnapshot
from stockade.events import Envelope, canonical_event
from stockade.events.decode import decode_stored
from stockade.node.protocol import (
    Applied,
    Batch,
    BatchFailed,
    LogEntry,
    Resume,
    Resumed,
    SnapshotTaken,
    Start,
    Stop,
    Stopped,
    ToNode,
    ToWorker,
    decode_to_worker,
    encode,
)
from stockade.node.stores import open_target
from stockade.node.tuning import tune_gc
from stockade.pipeline.build import build_engine
from stockade.pipeline.loop import EngineLoop
from stockade.site import SiteConfig

log = logging.getLogger(__name__)
TERM_GRACE_S = 30.0
NICENESS = 5
"""How much lower than the node the worker runs. On a machine whose cores are all busy, a door's
decision waits in the node for a core, and detection is the work that can wait a few milliseconds."""


INDEX_GROUP = 10_000
"""Most events the worker files in the entity index in one transaction. While batches wait for the
worker (it is behind), their rows are filed together, up to this many events; once none waits, at
once. A commit writes every index page its rows touched, and an EPC's rows land at random pages, so
filing ten batches in one commit writes each page once instead of up to ten times."""


class EntityIndex(Protocol):
    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None: ...

    def close(self) -> None: ...


class _IndexWriter:
    """The entity index, one transaction per group of batches (:data:`INDEX_GROUP`). A failed
    write is reported to the node as the batches it held failing, as one batch was before groups:
    the engine has applied them, the index lacks their rows, and ``stockade ledger audit`` names
    each row it lacks."""

    def __init__(self, index: EntityIndex, send: Callable[[ToNode], None]) -> None:
        self._index = index
        self._send = send
        self._pending: dict[str, list[tuple[int, Envelope]]] = {}
        self._count = 0

    def close(self) -> None:
        self.flush()
        self._index.close()

    def add(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        self._pending.setdefault(site, []).extend(events)
        self._count += len(events)

    @property
    def full(self) -> bool:
        return self._count >= INDEX_GROUP

    @property
    def pending(self) -> bool:
        return self._count > 0

    def flush(self) -> None:
        pending, self._pending, self._count = self._pending, {}, 0
        for site, events in pending.items():
            try:
                self._index.index_entities(site, events)
            except Exception:  # noqa: BLE001 - reported to the node with the traceback
                self._send(BatchFailed(site, events[0][0], events[-1][0], traceback.format_exc()))


class _WorkerSnapshots:
    """Snapshots the loop takes go to the node to be saved; the ones to resume from come from it."""

    def __init__(self, send: Callable[[ToNode], None]) -> None:
        self._send = send
        self.saved: dict[str, tuple[int, bytes] | None] = {}

    def save_snapshot(self, site: str, seq: int, data: bytes) -> None:
        self._send(SnapshotTaken(site, seq, data))

    def load_snapshot(self, site: str) -> tuple[int, bytes] | None:
        return self.saved.get(site)


class _Worker:
    def __init__(self, conn: Connection, start: Start, halt: Halt) -> None:
        self._conn = conn
        self._halt = halt
        sites = {s.site: SiteConfig.model_validate_json(s.config) for s in start.sites}
        self.index = _IndexWriter(open_target(start.store), self.send)
        self._snapshots = _WorkerSnapshots(self.send)
        self._outputs: list[Envelope] = []
        self._loop = EngineLoop(sites, build_engine, lambda _site, outs: self._outputs.extend(outs),
                                self._snapshots, start.snapshot_every)
        self._decode = decode_stored
        self._risk_updates: dict[str, int] = {}

    def send(self, message: ToNode) -> None:
        self._conn.send_bytes(encode(message))

    def _risk(self, site: str, *, always: bool) -> RiskSnapshot | None:
        risk = self._loop.engine(site).risk
        if risk is None:
            return None
        changed = risk.updates != self._risk_updates.get(site)
        self._risk_updates[site] = risk.updates
        return risk.save() if changed or always else None

    def handle(self, message: ToWorker) -> bool:
        """Act on one message from the node; False when told to stop."""
        loop = self._loop
        if not isinstance(message, Batch):
            self.index.flush()  # a resume or a stop finds the index as far as the engine
        match message:
            case Resume(site=site, snapshot=data, seq=seq):
                self._snapshots.saved[site] = None if data is None else (seq, data)
                loop.engines.pop(site, None)
                engine = loop.engine(site)
                self.send(Resumed(site, loop.last_seq[site], self._risk(site, always=True),
                                  loop.refused.get(site), engine.state.now))
            case Batch(site=site, entries=entries):
                if not self._halt.is_set():  # stopping: the log keeps it for the next start
                    self._apply(site, entries)
            case Stop():
                for site in list(loop.engines):
                    loop.snapshot(site)
                self.send(Stopped())
                return False
            case Start():
                log.error("the engine worker was started twice; ignoring the second start")
        return True

    def _apply(self, site: str, entries: list[LogEntry]) -> None:
        loop = self._loop
        self._outputs.clear()
        try:
            events = [(e.seq, self._decode(e.entry)) for e in entries]
            self.index.add(site, events)
            for seq, event in events:
                loop.apply(site, seq, event)
        except Exception:  # noqa: BLE001 - reported to the node with the traceback
            loop.last_seq[site] = max(loop.last_seq.get(site, 0), entries[-1].seq)
            self.send(BatchFailed(site, entries[0].seq, entries[-1].seq, traceback.format_exc()))
        self.send(Applied(site, loop.last_seq[site], [canonical_event(o) for o in self._outputs],
                          self._risk(site, always=False)))

    def close(self) -> None:
        self.index.close()


class _TermWatch:
    """SIGTERM to the group: keep going until the node's Stop, at most ``TERM_GRACE_S``."""

    def __init__(self) -> None:
        self.since: float | None = None
        signal.signal(signal.SIGTERM, self._on_term)

    def _on_term(self, _signum: int, _frame: FrameType | None) -> None:
        if self.since is None:
            self.since = time.monotonic()

    def expired(self) -> bool:
        return self.since is not None and time.monotonic() - self.since > TERM_GRACE_S


class Halt(Protocol):
    def is_set(self) -> bool: ...

    def set(self) -> None: ...


def run_worker(conn: Connection, halt: Halt) -> None:
    """The worker process's main loop (the target of the spawned process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the node says when to stop
    os.nice(NICENESS)
    term = _TermWatch()
    tune_gc()
    try:
        first = decode_to_worker(conn.recv_bytes())
    except (EOFError, OSError):
        return
    if not isinstance(first, Start):
        raise TypeError(f"the engine worker must be started with Start, not {type(first).__name__}")
    worker = _Worker(conn, first, halt)
    try:
        while True:
            if worker.index.pending and (worker.index.full or not conn.poll(0)):
                worker.index.flush()  # no batch waiting, or a group's worth: file them
            if not conn.poll(0.5):
                if term.expired():
                    break
                continue
            try:
                data = conn.recv_bytes()
            except (EOFError, OSError):
                break  # the node is gone: nobody to give outputs or snapshots to
            if not worker.handle(decode_to_worker(data)):
                break
    finally:
        worker.close()  # files what the index still holds
