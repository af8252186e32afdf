"""The engine in a worker process: detection on the second core while the node ingests.

The node's process stays the only writer: it sends each committed batch to the
worker as log entries, and the worker answers with the outputs of the batch
(alerts, incidents, as entries), the log position it has applied, and its risk
weights when they changed (the node keeps a :class:`RiskMirror` for the access
decision point). The worker also writes the store's entity index (a projection;
SQLite takes one writer at a time, PostgreSQL many). Snapshots travel back to be
saved in the store; at start the node sends each site's snapshot and then
replays the log's tail, as with an in-thread engine. The messages are the typed
structs of :mod:`stockade.node.protocol`, plain data.

Stopping: Ctrl-C and SIGTERM reach the whole process group, so the worker
ignores SIGINT and, on SIGTERM, waits for the node's ``Stop`` (the node stops
first and tells it to snapshot and exit); it exits by itself only when the node
is gone or no ``Stop`` came within :data:`TERM_GRACE_S`. So that a stop does not
wait for a backlog, the node raises a shared ``halt`` flag before it sends
``Stop``: the worker leaves the batches still queued unapplied (they are in the
log, and the next start replays them after the snapshot).

A batch the worker fails on is reported with its traceback and skipped; if the
worker dies, the node logs it, counts it, and ``/healthz`` says so.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from multiprocessing.connection import Connection
from types import FrameType
from typing import Protocol

import msgspec

from stockade.engine.engine import RiskModel as RiskReader
from stockade.engine.risk import RiskModel, RiskSnapshot
from stockade.events import Envelope, Event, canonical_event
from stockade.node.protocol import (
    Applied,
    Batch,
    BatchFailed,
    LogEntry,
    Resume,
    Resumed,
    SiteSpec,
    SnapshotTaken,
    Start,
    Stop,
    Stopped,
    StoreTarget,
    ToNode,
    ToWorker,
    decode_to_node,
    decode_to_worker,
    encode,
)
from stockade.node.stores import open_target
from stockade.node.tuning import tune_gc
from stockade.pipeline.build import build_engine
from stockade.pipeline.loop import EngineLoop, Snapshots
from stockade.site import SiteConfig

log = logging.getLogger(__name__)
TERM_GRACE_S = 30.0


class EntityIndex(Protocol):
    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None: ...

    def close(self) -> None: ...


# --- the worker's side ---------------------------------------------------------------------------


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
        self._index: EntityIndex = open_target(start.store)
        self._snapshots = _WorkerSnapshots(self.send)
        self._outputs: list[Envelope] = []
        self._loop = EngineLoop(sites, build_engine, lambda _site, outs: self._outputs.extend(outs),
                                self._snapshots, start.snapshot_every)
        self._decode = msgspec.json.Decoder(Event).decode
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
            self._index.index_entities(site, events)
            for seq, event in events:
                loop.apply(site, seq, event)
        except Exception:  # noqa: BLE001 - reported to the node with the traceback
            loop.last_seq[site] = max(loop.last_seq.get(site, 0), entries[-1].seq)
            self.send(BatchFailed(site, entries[0].seq, entries[-1].seq, traceback.format_exc()))
        self.send(Applied(site, loop.last_seq[site], [canonical_event(o) for o in self._outputs],
                          self._risk(site, always=False)))

    def close(self) -> None:
        self._index.close()


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
        worker.close()


# --- the node's side -----------------------------------------------------------------------------


class RiskMirror:
    """The node's copy of one site's risk scores, replaced whole from the worker's typed weights."""

    def __init__(self, site: SiteConfig) -> None:
        self.model = RiskModel(site)

    def update(self, saved: RiskSnapshot) -> None:
        self.model.load(saved)


class EngineProcess:
    """The node's side of the worker: sends batches, commits what comes back."""

    indexes_entities = True

    def __init__(
        self,
        sites: Mapping[str, SiteConfig],
        snapshots: Snapshots,
        snapshot_every: int,
        write_outputs: Callable[[str, Sequence[bytes]], None],
        on_error: Callable[[str], None],
        store: StoreTarget,
    ) -> None:
        self._sites = sites
        self._snapshots = snapshots
        self._write_outputs = write_outputs
        self._on_error = on_error
        context = multiprocessing.get_context("spawn")  # the node has threads: never fork it
        self._conn, child = context.Pipe()
        self._halt = context.Event()
        self._process = context.Process(target=run_worker, args=(child, self._halt), name="stockade-engine",
                                        daemon=True)
        self._process.start()
        child.close()
        self._send_lock = threading.Lock()
        self._state = threading.Condition()
        self._applied: dict[str, int] = {}
        self._resumed: dict[str, Resumed] = {}
        self._mirrors = {site_id: RiskMirror(site) for site_id, site in sites.items()}
        self._now: dict[str, datetime] = {}
        self._stopping = False
        self.alive = True
        self._send(Start([SiteSpec(s.site, s.model_dump_json()) for s in sites.values()], snapshot_every, store))
        self._receiver = threading.Thread(target=self._receive, name="stockade-engine-results", daemon=True)
        self._receiver.start()

    def _send(self, message: ToWorker) -> None:
        """Send to the worker; once it is gone, nothing is sent (its end was logged once)."""
        data = encode(message)
        with self._send_lock:
            if not self.alive:
                return
            try:
                self._conn.send_bytes(data)
            except (BrokenPipeError, EOFError, OSError):
                self.alive = False

    def resume(self, site: str) -> Resumed:
        saved = self._snapshots.load_snapshot(site)
        self._send(Resume(site) if saved is None else Resume(site, saved[1], saved[0]))
        with self._state:
            self._state.wait_for(lambda: site in self._resumed or not self.alive, timeout=120)
            resumed = self._resumed.pop(site, None) or Resumed(site, 0)
            self._applied[site] = resumed.seq
        return resumed

    def submit(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> None:
        if not events:
            return
        latest = max(e.ts for _, e in events)
        if site not in self._now or latest > self._now[site]:
            self._now[site] = latest
        self._send(Batch(site, [LogEntry(seq, entry) for (seq, _), entry in zip(events, entries, strict=True)]))

    def applied(self, site: str) -> int:
        with self._state:
            return self._applied.get(site, 0)

    def wait_applied(self, site: str, seq: int, timeout: float) -> bool:
        with self._state:
            return self._state.wait_for(lambda: self._applied.get(site, 0) >= seq or not self.alive,
                                        timeout=timeout) and self.alive

    def risk(self, site: str) -> tuple[RiskReader | None, datetime | None]:
        mirror = self._mirrors.get(site)
        return (mirror.model if mirror else None), self._now.get(site)

    def _receive(self) -> None:
        while True:
            message = self._next()
            if message is None:
                if not self._stopping:
                    self._process.join(timeout=1)
                    log.error("the engine worker process ended (exit code %s); detection has stopped",
                              self._process.exitcode)
                break
            try:
                if not self._handle(message):
                    break
            except Exception:  # noqa: BLE001 - this thread must outlive one bad message
                log.exception("could not handle the engine worker's %s message", type(message).__name__)
                if isinstance(message, Applied):
                    self._on_error(message.site)
                    with self._state:
                        self._applied[message.site] = message.seq
                        self._state.notify_all()
        with self._state:
            self.alive = False
            self._state.notify_all()

    def _next(self) -> ToNode | None:
        """The worker's next message; None once it has gone."""
        while True:
            try:
                data = self._conn.recv_bytes()
            except (EOFError, OSError):
                return None
            try:
                return decode_to_node(data)
            except msgspec.DecodeError:
                log.exception("the engine worker sent a message this node cannot read")

    def _handle(self, message: ToNode) -> bool:
        """Act on one message from the worker; False when it has stopped."""
        match message:
            case Applied(site=site, seq=seq, outputs=outputs, risk=risk):
                if outputs:
                    self._write_outputs(site, outputs)
                if risk is not None:
                    self._mirrors[site].update(risk)
                with self._state:
                    self._applied[site] = seq
                    self._state.notify_all()
            case SnapshotTaken(site=site, seq=seq, data=data):
                self._snapshots.save_snapshot(site, seq, data)
            case Resumed(site=site, risk=risk, now=now):
                if risk is not None:
                    self._mirrors[site].update(risk)
                if now is not None and site not in self._now:  # risk is read at the restored clock, not None
                    self._now[site] = now
                with self._state:
                    self._resumed[site] = message
                    self._state.notify_all()
            case BatchFailed(site=site, first=first, last=last, traceback=text):
                log.error("engine failed on %s events %d..%d:\n%s", site, first, last, text)
                self._on_error(site)
            case Stopped():
                return False
        return True

    def stop(self) -> None:
        """Tell the worker to snapshot every site and exit; wait for its snapshots to be saved."""
        self._stopping = True
        self._halt.set()
        self._send(Stop())
        self._receiver.join(timeout=60)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)
        self._conn.close()
