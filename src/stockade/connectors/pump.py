"""Batches of inbound work committed together, each acknowledged only after its commit.

An MQTT callback hands each message's lines to :meth:`Pump.put` with a
``done`` callback (publish the results, acknowledge the broker); a worker
thread takes whatever is waiting (up to ``batch_max`` items), commits each run of
consecutive items with the same binding in one call of the ingest sink (so the
log keeps the order of arrival), and then calls every ``done`` in arrival order.
If the commit fails the batch is retried with backoff and nothing is
acknowledged, so a message is never acknowledged before it is durable, and the
broker redelivers it to a node killed in between.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stockade.connectors.base import Binding, Health, IngestSink, Outcome

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Work:
    lines: Sequence[bytes]
    binding: Binding
    done: Callable[[list[Outcome]], None]
    received: float = 0.0


class Pump:
    def __init__(self, sink: IngestSink, health: Health, *, batch_max: int = 2000,
                 retry_max_s: float = 5.0) -> None:
        self._sink = sink
        self._health = health
        self._batch_max = batch_max
        self._retry_max_s = retry_max_s
        self._queue: queue.SimpleQueue[Work] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.idle = threading.Event()
        self.idle.set()
        self.completed = 0  # messages (Work items) committed and answered, in arrival order

    def put(self, work: Work) -> None:
        work.received = work.received or time.monotonic()
        self.idle.clear()
        self._queue.put(work)

    def start(self, name: str) -> None:
        self._thread = threading.Thread(target=self._run, name=f"stockade-{name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _take(self) -> list[Work]:
        try:
            batch = [self._queue.get(timeout=0.1)]
        except queue.Empty:
            if self._queue.empty():
                self.idle.set()
            return []
        lines = len(batch[0].lines)
        while len(batch) < self._batch_max and lines < 20 * self._batch_max:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
            lines += len(batch[-1].lines)
        return batch

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._take()
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[Work]) -> None:
        self._health.backlog = self._queue.qsize()
        runs: list[tuple[Binding, list[Work]]] = []  # consecutive work of one binding: log order = arrival order
        for w in batch:
            if runs and runs[-1][0] == w.binding:
                runs[-1][1].append(w)
            else:
                runs.append((w.binding, [w]))
        results: dict[int, list[Outcome]] = {}
        wait = 0.1
        for binding, works in runs:
            lines = [line for w in works for line in w.lines]
            while True:
                try:
                    outcomes = self._sink(lines, binding) if lines else []
                    break
                except Exception as e:  # noqa: BLE001 - a store failure: retry, never acknowledge
                    self._health.error(f"commit failed, retrying: {e}")
                    log.warning("connector %s: commit failed (%s); retrying in %.1fs", self._health.name, e, wait)
                    if self._stop.wait(wait):
                        return  # stopping: unacknowledged messages come back from the broker
                    wait = min(wait * 2, self._retry_max_s)
            start = 0
            for w in works:
                results[id(w)] = [_renumber(o, start) for o in outcomes[start : start + len(w.lines)]]
                start += len(w.lines)
        self._health.lag_s = time.monotonic() - batch[0].received
        for w in batch:
            out = results[id(w)]
            self._health.counted(out)
            try:
                w.done(out)
            except Exception as e:  # noqa: BLE001 - one failed reply must not stop the others' acks
                self._health.error(f"reply failed: {e}")
            self.completed += 1


def _renumber(o: Outcome, start: int) -> Outcome:
    """Lines are numbered per message, as the sender counts them."""
    return Outcome(o.line - start, o.status, o.id, o.seq, o.field, o.reason)
