"""The engine in a worker process: detection on the second core while the node ingests.

The node's process stays the only writer: it sends each committed batch to the
worker as log entries, and the worker answers with the outputs of the batch
(alerts, incidents, as entries), the log position it has applied, and its risk
weights when they changed (the node keeps a :class:`RiskMirror` for the access
decision point). The worker also writes the store's entity index (a projection;
SQLite takes one writer at a time, PostgreSQL many). Snapshots travel back to be
saved in the store; at start the node sends each site's snapshot and then
replays the log's tail, as with an in-thread engine. The messages are the typed
structs of :mod:`stockade.node.protocol`, plain data; the worker's side is
:mod:`stockade.node.engine_worker`.

Stopping: Ctrl-C and SIGTERM reach the whole process group, so the worker
ignores SIGINT and, on SIGTERM, waits for the node's ``Stop`` (the node stops
first and tells it to snapshot and exit); it exits by itself only when the node
is gone or no ``Stop`` came within ``engine_worker.TERM_GRACE_S``. So that a stop does not
wait for a backlog, the node raises a shared ``halt`` flag before it sends
``Stop``: the worker leaves the batches still queued unapplied (they are in the
log, and the next start replays them after the snapshot).

A batch the worker fails on is reported with its traceback and skipped; if the
worker dies, the node logs it, counts it, and ``/healthz`` says so.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import msgspec

from stockade.engine.engine import RiskModel as RiskReader
from stockade.engine.risk import RiskModel, RiskSnapshot
from stockade.events import Envelope
from stockade.node.engine_worker import run_worker
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
    encode,
)
from stockade.pipeline.loop import Snapshots
from stockade.site import SiteConfig

log = logging.getLogger(__name__)


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

    @property
    def pid(self) -> int | None:
        """The worker process's id (for its CPU time and memory)."""
        return self._process.pid

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
            except Exception:  # this thread must outlive one bad message
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
