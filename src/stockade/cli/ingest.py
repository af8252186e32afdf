"""``stockade ingest FILE…``: event files into the local node, as ``POST /v1/events`` takes them.

Files are read and committed in batches of :data:`BATCH` lines, so memory holds one batch whatever
the size of the file: the command keeps counts, prints the first :data:`MAX_REJECTED_SHOWN`
refused lines (``file:line: field: reason``) and, with ``--rejected-out``, writes every refused line
there as NDJSON. Detection runs beside the ingest, in a worker process for a large input (the second
core, as ``stockade serve`` runs it; batches wait for the worker when it falls behind), in this
thread for a small one; the command ends once it has applied everything.

    $ stockade ingest night.ndjson --rejected-out refused.ndjson
    accepted 998,211, duplicate 0, rejected 1,789
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import msgspec
import typer

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, err, fail, settings_for
from stockade.cli.progress import Meter, meter
from stockade.node.ingest import IngestReport, LineResult, Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings

BATCH = 2_000
"""Lines per commit (one fsync each); also what the process holds of the input at a time."""
MAX_REJECTED_SHOWN = 50
WORKER_FROM_BYTES = 8 << 20
"""Inputs at least this large (about 30,000 events) run detection in a worker process: its start
costs a second or two, the second core pays that back within the first seconds of a large file."""
STALL_S = 120.0
"""Waiting for detection to finish gives up when the engine applied nothing for this long."""


class _Refused(msgspec.Struct, frozen=True, omit_defaults=True):
    """One line of ``--rejected-out``."""

    file: str
    line: int
    reason: str
    field: str | None = None
    code: str | None = None


@app.command()
def ingest(
    files: Annotated[list[str], typer.Argument(help="NDJSON files of SEF/1 events; - for stdin")],
    data_dir: DataDir = None,
    quiet: Annotated[bool, typer.Option(help="only the summary: no progress bar, no refused lines")] = False,
    rejected_out: Annotated[Path | None, typer.Option(
        "--rejected-out", help="write every refused line there (NDJSON: file, line, field, reason, code)")] = None,
    backfill: Annotated[bool, typer.Option(
        help="history: ingest in event-time order and detect over the events older than the site's "
             "event-time clock as a history of their own (as `stockade analyze` does; the files are "
             "held in memory to be sorted)")] = False,
) -> None:
    """Ingest event files into the local node (same validation as POST /v1/events), then run detection."""
    unreadable = [p for p in files if p != "-" and not os.access(p, os.R_OK)]
    if unreadable:  # before the data directory is even opened
        raise fail(f"cannot read {', '.join(unreadable)}: no such file, or not readable")
    size = None if "-" in files else sum(os.path.getsize(p) for p in files)
    node = Node.open(_settings(settings_for(data_dir), size, backfill))
    try:
        with _refusals_file(rejected_out) as sink:
            totals = _backfill(node, files, quiet, sink) if backfill else _ingest_files(node, files, quiet, size, sink)
    finally:
        node.stop()
    console.print(f"accepted {totals.accepted}, duplicate {totals.duplicate}, rejected {totals.rejected}")
    if totals.late and backfill:
        console.print(f"{totals.late} late events detected over as history: "
                      f"{totals.outputs} alerts and incident versions written")
    elif totals.late:
        err.print(f"{totals.late} accepted events are late (older than the site's event-time clock allows): "
                  "kept in the log, not detected on; `stockade ingest --backfill` detects over history",
                  highlight=False)
    if totals.rejected:
        raise typer.Exit(1)  # it ran; some lines were refused (each named above)


def _settings(settings: Settings, size: int | None, backfill: bool) -> Settings:
    if settings.engine is None and not backfill and size is not None and size >= WORKER_FROM_BYTES:
        return settings.model_copy(update={"engine": "process"})
    return settings


class _Totals:
    def __init__(self, quiet: bool, sink: IO[bytes] | None) -> None:
        self.accepted = self.duplicate = self.rejected = self.late = self.outputs = 0
        self._quiet = quiet
        self._sink = sink
        self._encoder = msgspec.json.Encoder()

    def refused(self, path: str, r: LineResult) -> None:
        self.rejected += 1
        if not self._quiet and self.rejected <= MAX_REJECTED_SHOWN:
            err.print(f"{path}:{r.line}: rejected: {r.field or '(line)'}: {r.reason}",
                      soft_wrap=True, highlight=False, markup=False)
        if self._sink is not None:
            self._sink.write(self._encoder.encode(_Refused(path, r.line, r.reason or "", r.field, r.code)) + b"\n")

    def add(self, path: str, report: IngestReport) -> None:
        self.accepted += report.accepted
        self.duplicate += report.duplicate
        self.late += sum(report.late_by_site.values())
        for r in report.refused:
            self.refused(path, r)

    def more_refused(self) -> None:
        if self.rejected > MAX_REJECTED_SHOWN and not self._quiet:
            err.print(f"… and {self.rejected - MAX_REJECTED_SHOWN:,} more rejected lines", highlight=False)


@contextmanager
def _refusals_file(path: Path | None) -> Iterator[IO[bytes] | None]:
    if path is None:
        yield None
        return
    try:
        f = path.open("wb")
    except OSError as e:
        raise fail(f"cannot write {path}: {e.strerror}") from e
    with f:
        yield f


def _batches(path: str) -> Iterator[tuple[int, list[bytes], int]]:
    """(number of the first line, lines, bytes read) per :data:`BATCH` lines of the file."""
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - closed below unless stdin
    try:
        first, lines, size = 1, [], 0
        for line in stream:
            size += len(line)
            lines.append(line.rstrip(b"\n"))
            if len(lines) == BATCH:
                yield first, lines, size
                first, lines, size = first + BATCH, [], 0
        if lines:
            yield first, lines, size
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _ingest_files(node: Node, files: list[str], quiet: bool, size: int | None,
                  sink: IO[bytes] | None) -> _Totals:
    node.recover()
    totals = _Totals(quiet, sink)
    with meter("ingest", total=size, unit="events", refuses=True, quiet=quiet) as m:
        for path in files:
            principal = Principal.operator(f"file:{path}")
            try:
                for first, lines, nbytes in _batches(path):
                    report = node.ingestor.ingest_lines(lines, principal, first_line=first)
                    totals.add(path, report)
                    node.drain()  # detection: in this thread, or handed to the worker (which may make us wait)
                    m.advance(nbytes, items=len(lines), rejected=report.rejected)
            except OSError as e:
                raise fail(f"cannot read {path}: {e.strerror}") from e
        _wait_for_detection(node, m)
    totals.more_refused()
    return totals


def _wait_for_detection(node: Node, m: Meter) -> None:
    """Until the engine has applied every site's log (a worker may still be behind the commits)."""
    targets = {site: node.store.last_seq(site) for site in node.sites}

    def behind() -> int:
        return sum(max(0, t - node.engine.applied(s)) for s, t in targets.items())

    if not behind():
        return
    start = behind()
    m.describe("detecting", total=start)
    last_change, left = time.monotonic(), start
    while left:
        node.drain()  # the outputs the engine wrote, to the index and back to the engine
        for site, target in targets.items():
            node.engine.wait_applied(site, target, 0.1)
        now_left = behind()
        if now_left < left:
            last_change = time.monotonic()
        elif not node.engine.alive or time.monotonic() - last_change > STALL_S:
            raise fail(f"detection stopped with {now_left:,} events not applied (the log has them; the next "
                       "`stockade serve` applies them)", code=1)
        left = now_left
        m.set(start - left)
    node.drain()


def _backfill(node: Node, files: list[str], quiet: bool, sink: IO[bytes] | None) -> _Totals:
    from stockade.node.backfill import backfill

    node.recover()
    totals = _Totals(quiet, sink)
    try:
        report = backfill(node.ingestor, node.sites, [(path, [line for _, lines, _ in _batches(path)
                                                              for line in lines]) for path in files],
                          Principal.operator("cli"))
    except OSError as e:
        raise fail(f"cannot read {e.filename}: {e.strerror}") from e
    node.drain()
    totals.late, totals.outputs = report.late, report.outputs
    for path, r in report.results:
        if r.status == "rejected":
            totals.refused(path, r)
        elif r.status == "duplicate":
            totals.duplicate += 1
        else:
            totals.accepted += 1
    totals.more_refused()
    return totals
