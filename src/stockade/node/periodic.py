"""A background thread that runs a job every ``interval_s`` seconds until stopped.

    >>> done = []
    >>> checkpoints = Periodic("checkpoints", 3600, lambda: done.append("checkpoint"))
    >>> checkpoints.start()
    >>> checkpoints.stop()                                  # runs the job once more
    >>> done
    ['checkpoint']

A job that raises is logged and retried at the next period; it never kills
the thread (a failed policy reload must not stop checkpoints, nor the reverse).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, interval_s: float, job: Callable[[], object]) -> None:
        self.name = name
        self._interval = interval_s
        self._job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"stockade-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.run_once()

    def run_once(self) -> None:
        try:
            self._job()
        except Exception:  # logged with its traceback; the next period retries
            log.exception("periodic job %s failed", self.name)

    def stop(self) -> None:
        """Stop the thread, then run the job a last time (a final checkpoint, say)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.run_once()
