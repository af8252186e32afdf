"""Backfill: put a history of events into a site's log and detect over it as a history.

The live engine detects on event time as events arrive, and an event older than the
site's event-time clock by more than the allowed lateness is *late*: kept, flagged, and
not detected on live (:func:`stockade.pipeline.loop.is_late`). A backfill is how history
enters on purpose (``stockade ingest --backfill FILE``):

1. every line is ingested as usual (same validation, signatures, dedup; results per line
   under their own file and line number), but in event-time order, so the part that is
   not late reaches the live engine in order;
2. the events the ingest flagged late go, per site, through a fresh engine in event-time
   order — :func:`stockade.pipeline.analyze.analyze`, the code path of ``stockade analyze`` —
   and what it finds (alerts, incident versions) is written to the site's log.

So a week ingested after the site's clock has moved past it raises what ``analyze`` of
that week raises, and nothing that only the order of arrival made up.

    >>> report = backfill(node, [("week.ndjson", lines)])       # doctest: +SKIP
    >>> report.late, report.outputs                              # doctest: +SKIP
    (137221, 412)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from stockade.events import Envelope, EventError, decode_event
from stockade.node.ingest import Ingestor, LineResult, Principal
from stockade.pipeline.analyze import analyze
from stockade.site import SiteConfig


@dataclass
class BackfillReport:
    results: list[tuple[str, LineResult]] = field(default_factory=list)  # (file, result), file order
    late: int = 0  # accepted events the live engine will not detect on
    outputs: int = 0  # alerts and incident versions written from the history

    def count(self, status: str) -> int:
        return sum(1 for _, r in self.results if r.status == status)


@dataclass(frozen=True, slots=True)
class _Line:
    file: str
    number: int
    raw: bytes
    ts: datetime | None  # None: not decodable, rejected by ingest with its reason


def _read(files: Iterable[tuple[str, Iterable[bytes]]]) -> list[_Line]:
    out: list[_Line] = []
    for name, lines in files:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                ts: datetime | None = decode_event(raw).ts
            except EventError:
                ts = None
            out.append(_Line(name, number, raw, ts))
    return out


def _when(line: _Line) -> tuple[bool, float]:
    return (line.ts is not None, line.ts.timestamp() if line.ts is not None else 0.0)


def backfill(ingestor: Ingestor, sites: dict[str, SiteConfig], files: Iterable[tuple[str, Iterable[bytes]]],
             principal: Principal, batch: int = 5_000) -> BackfillReport:
    """Ingest ``files`` in event-time order, then detect over the late part as a history of its own."""
    lines = _read(files)
    # undecodable lines first (rejected anyway), then by event time; ties keep file order
    order = sorted(range(len(lines)), key=lambda i: _when(lines[i]))
    report = BackfillReport()
    by_line: dict[int, LineResult] = {}
    late: dict[str, list[Envelope]] = {}
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        got = ingestor.ingest_lines([lines[i].raw for i in chunk], principal)
        for i, r in zip(chunk, got.results, strict=True):
            by_line[i] = dataclasses.replace(r, line=lines[i].number)
            if r.late:
                event = decode_event(lines[i].raw)
                late.setdefault(event.site, []).append(event)
    report.results = [(lines[i].file, by_line[i]) for i in range(len(lines))]
    for site_id, events in late.items():
        report.late += len(events)
        report.outputs += _detect(ingestor, sites[site_id], events)
    return report


def _detect(ingestor: Ingestor, site: SiteConfig, events: Sequence[Envelope]) -> int:
    found = analyze(site, events)
    outputs: list[Envelope] = [*found.alerts, *found.versions]
    outputs.sort(key=lambda e: e.ts)  # stable: an alert before the incident versions it caused
    for start in range(0, len(outputs), 1_000):
        ingestor.write_outputs(site.site, outputs[start:start + 1_000])
    return len(outputs)
