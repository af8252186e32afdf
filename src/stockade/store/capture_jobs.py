"""EPCIS capture jobs, kept in the store so ``GET /v1/epcis/capture/{id}`` answers after a restart.

A store mixes in :class:`CaptureJobTables` beside :class:`stockade.store.outbox.OutboxTables` (whose
``_run`` and ``_q`` it uses). A job is the JSON the capture interface answers, stored as its bytes;
the newest ``MAX_JOBS`` are kept.
"""

from __future__ import annotations

from stockade.store.outbox import OutboxTables

MAX_JOBS = 10_000


class CaptureJobTables(OutboxTables):
    def job_put(self, site: str, job_id: str, created_us: int, job: bytes) -> None:
        """Record a finished job; the oldest beyond ``MAX_JOBS`` are forgotten."""
        self._run(self._q("INSERT INTO capture_jobs (id, site, created_us, job) VALUES (?,?,?,?)"),
                  (job_id, site, created_us, job))
        self._run(self._q("DELETE FROM capture_jobs WHERE created_us < (SELECT created_us FROM capture_jobs "
                          "ORDER BY created_us DESC LIMIT 1 OFFSET ?)"), (MAX_JOBS - 1,))

    def job_get(self, site: str, job_id: str) -> bytes | None:
        """The job ``job_id`` of ``site`` (None for another site's: ids are not shared across sites)."""
        rows, _ = self._run(self._q("SELECT job FROM capture_jobs WHERE id=? AND site=?"), (job_id, site))
        if not rows:
            return None
        job = rows[0][0]
        return bytes(job) if isinstance(job, bytes | memoryview) else None
