"""Reading SEF/1 NDJSON for offline analysis: keep every valid line, name every bad one.

A bad line costs nothing else: it is reported with its file, line number, field
and reason, and the valid lines around it are kept. A repeated event id is an
idempotent no-op, counted as a duplicate. Events for another site than the
site file's are rejected.

    >>> tick = b'{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00Z","site":"dc-demo","source":"bus"}'
    >>> batch = decode_lines("a.ndjson", [tick, b'', b'{"id":"e2"}'], site="dc-demo")
    >>> len(batch.events), [str(b) for b in batch.bad]
    (1, ['a.ndjson:3: kind: missing required field'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from stockade.events import Envelope, EventError, decode_event


@dataclass(frozen=True, slots=True)
class BadLine:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.reason}"


@dataclass
class Batch:
    events: list[Envelope] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    duplicates: int = 0
    seen: set[str] = field(default_factory=set, repr=False)

    @property
    def lines(self) -> int:
        return len(self.events) + len(self.bad) + self.duplicates


def decode_lines(name: str, lines: Iterable[bytes], site: str | None = None,
                 batch: Batch | None = None) -> Batch:
    """Decode NDJSON ``lines`` of file ``name`` into ``batch`` (a new one by default); blank lines skip."""
    out = batch if batch is not None else Batch()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            event = decode_event(raw)
        except EventError as e:
            out.bad.append(BadLine(name, number, e.field, e.reason))
            continue
        if site is not None and event.site != site:
            out.bad.append(BadLine(name, number, "site", f"{event.site!r} is not the site file's {site!r}"))
        elif event.id in out.seen:
            out.duplicates += 1
        else:
            out.seen.add(event.id)
            out.events.append(event)
    return out


def read_files(paths: Iterable[Path], site: str | None = None) -> Batch:
    """Decode NDJSON files, in order, into one batch (duplicates are detected across files)."""
    batch = Batch()
    for path in paths:
        with path.open("rb") as f:
            decode_lines(str(path), f, site, batch)
    return batch
