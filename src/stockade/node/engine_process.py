"""The engine in a worker process: detection on the second core while the node ingests.

The node's process stays the only writer: it sends each committed batch to the
worker as log entries, and the worker answers with the outputs of the batch
(alerts, incidents, as entries), the log position it has applied, and its risk
weights when they changed. The worker also writes the store's entity index (a
projection; SQLite takes one writer at a time, PostgreSQL many) (the node keeps a mirror for the access decision
point). Snapshots travel back to be saved in the store; at start the node sends
each site's snapshot and then replays the log's tail, as with an in-thread
engine.

    main process                                worker process
    ------------                                --------------
    ("resume", site, snapshot)        ──▶       restore or build the engine
                                      ◀──       ("resumed", site, seq, risk weights, event time)
    ("batch", site, [(seq, entry)])   ──▶       EngineLoop.apply each
                                      ◀──       ("applied", site, seq, [output entries], weights | None)
                                      ◀──       ("snapshot", site, seq, data)   every N events
    ("stop",)                         ──▶       snapshot every site
                                      ◀──       ("stopped",)

A batch the worker fails on is reported with its traceback and skipped; if the
worker dies, the node logs it, counts it, and ``/healthz`` says so.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any, Protocol

import msgspec

from stockade.engine.engine import RiskModel as RiskReader
from stockade.engine.risk import RiskModel
from stockade.events import Envelope, Event, canonical_event
from stockade.node.tuning import tune_gc
from stockade.pipeline.build import build_engine
from stockade.pipeline.loop import EngineLoop, Snapshots
from stockade.site import SiteConfig

log = logging.getLogger(__name__)
Weights = dict[tuple[str, str], tuple[float, datetime]]


def _weights(risk: object) -> Weights | None:
    return dict(risk.weights) if isinstance(risk, RiskModel) else None


class _WorkerSnapshots:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.saved: dict[str, tuple[int, bytes] | None] = {}

    def save_snapshot(self, site: str, seq: int, data: bytes) -> None:
        self._conn.send(("snapshot", site, seq, data))

    def load_snapshot(self, site: str) -> tuple[int, bytes] | None:
        return self.saved.get(site)


def run_worker(conn: Connection, sites: dict[str, SiteConfig], snapshot_every: int,
               open_index: Callable[[], EntityIndex]) -> None:
    """The worker process's main loop (the target of the spawned process). It also keeps the
    store's entity index, a projection of the log, off the node's process."""
    tune_gc()
    index = open_index()
    snapshots = _WorkerSnapshots(conn)
    outputs: list[Envelope] = []
    loop = EngineLoop(sites, build_engine, lambda _site, outs: outputs.extend(outs), snapshots, snapshot_every)
    decode = msgspec.json.Decoder(Event).decode
    risk_updates: dict[str, int] = {}
    while True:
        message = conn.recv()
        if message[0] == "resume":
            _, site, saved = message
            snapshots.saved[site] = saved
            loop.engines.pop(site, None)
            engine = loop.engine(site)
            conn.send(("resumed", site, loop.last_seq[site], _weights(engine.risk), engine.state.now))
        elif message[0] == "batch":
            _, site, items = message
            outputs.clear()
            try:
                events = [(seq, decode(entry)) for seq, entry in items]
                index.index_entities(site, events)
                for seq, event in events:
                    loop.apply(site, seq, event)
            except Exception:  # noqa: BLE001 - reported to the node with the traceback
                loop.last_seq[site] = max(loop.last_seq.get(site, 0), items[-1][0])
                conn.send(("error", site, items[0][0], items[-1][0], traceback.format_exc()))
            risk = loop.engine(site).risk
            updates = getattr(risk, "updates", 0)
            changed = updates != risk_updates.get(site)
            risk_updates[site] = updates
            conn.send(("applied", site, loop.last_seq[site], [canonical_event(o) for o in outputs],
                       _weights(risk) if changed else None))
        elif message[0] == "stop":
            for site in list(loop.engines):
                loop.snapshot(site)
            index.close()
            conn.send(("stopped",))
            return


class EntityIndex(Protocol):
    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None: ...

    def close(self) -> None: ...


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
        open_index: Callable[[], EntityIndex],
    ) -> None:
        self._sites = sites
        self._snapshots = snapshots
        self._write_outputs = write_outputs
        self._on_error = on_error
        context = multiprocessing.get_context("spawn")  # the node has threads: never fork it
        self._conn, child = context.Pipe()
        self._process = context.Process(target=run_worker, args=(child, dict(sites), snapshot_every, open_index),
                                        name="stockade-engine", daemon=True)
        self._process.start()
        child.close()
        self._send_lock = threading.Lock()
        self._state = threading.Condition()
        self._applied: dict[str, int] = {}
        self._resumed: dict[str, int] = {}
        self._mirrors = {site_id: RiskModel(site) for site_id, site in sites.items()}
        self._now: dict[str, datetime] = {}
        self.alive = True
        self._receiver = threading.Thread(target=self._receive, name="stockade-engine-results", daemon=True)
        self._receiver.start()

    def _send(self, message: tuple[Any, ...]) -> None:
        """Send to the worker; once it is gone, nothing is sent (its end was logged once)."""
        with self._send_lock:
            if not self.alive:
                return
            try:
                self._conn.send(message)
            except (BrokenPipeError, EOFError, OSError):
                self.alive = False

    def resume(self, site: str) -> int:
        self._send(("resume", site, self._snapshots.load_snapshot(site)))
        with self._state:
            self._state.wait_for(lambda: site in self._resumed or not self.alive, timeout=120)
            seq = self._resumed.pop(site, 0)
            self._applied[site] = seq
        return seq

    def submit(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> None:
        if not events:
            return
        latest = max(e.ts for _, e in events)
        if site not in self._now or latest > self._now[site]:
            self._now[site] = latest
        self._send(("batch", site, [(seq, entry) for (seq, _), entry in zip(events, entries, strict=True)]))

    def applied(self, site: str) -> int:
        with self._state:
            return self._applied.get(site, 0)

    def wait_applied(self, site: str, seq: int, timeout: float) -> bool:
        with self._state:
            return self._state.wait_for(lambda: self._applied.get(site, 0) >= seq or not self.alive,
                                        timeout=timeout) and self.alive

    def risk(self, site: str) -> tuple[RiskReader | None, datetime | None]:
        return self._mirrors.get(site), self._now.get(site)

    def _receive(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                log.exception("the engine worker process ended; detection has stopped")
                break
            try:
                if not self._handle(message):
                    break
            except Exception:  # noqa: BLE001 - this thread must outlive one bad message
                log.exception("could not handle the engine worker's %r message", message[0])
                if message[0] == "applied":
                    self._on_error(message[1])
                    with self._state:
                        self._applied[message[1]] = message[2]
                        self._state.notify_all()
        with self._state:
            self.alive = False
            self._state.notify_all()

    def _handle(self, message: tuple[Any, ...]) -> bool:
        """Act on one message from the worker; False when it has stopped."""
        kind = message[0]
        if kind == "applied":
            _, site, seq, outputs, weights = message
            if outputs:
                self._write_outputs(site, outputs)
            if weights is not None:
                self._mirrors[site].weights = weights
            with self._state:
                self._applied[site] = seq
                self._state.notify_all()
        elif kind == "snapshot":
            _, site, seq, data = message
            self._snapshots.save_snapshot(site, seq, data)
        elif kind == "resumed":
            _, site, seq, weights, now = message
            if weights is not None:
                self._mirrors[site].weights = weights
            if now is not None and site not in self._now:  # risk is read at the restored clock, not None
                self._now[site] = now
            with self._state:
                self._resumed[site] = seq
                self._state.notify_all()
        elif kind == "error":
            _, site, first, last, text = message
            log.error("engine failed on %s events %d..%d:\n%s", site, first, last, text)
            self._on_error(site)
        elif kind == "stopped":
            return False
        return True

    def stop(self) -> None:
        self._send(("stop",))
        self._receiver.join(timeout=60)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
        self._conn.close()
