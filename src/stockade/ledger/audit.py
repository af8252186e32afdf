"""Hold a store's copy of the events against the log: find rows edited, deleted, inserted or reordered.

The store keeps each logged event as a row with its log index and its entry
bytes (the RFC 8785 encoding). The log is the truth; this pure comparison
names every row that disagrees with it:

* ``edited`` — the row's index exists in the log but holds other bytes, and
  those bytes are nowhere in the log;
* ``deleted`` — a log entry no row holds;
* ``inserted`` — a row whose bytes are not in the log and whose index is past
  the log's end, repeated, or already accounted for;
* ``reordered`` — a row whose bytes are in the log, at another index;
* ``column`` — a column queries read (``id``, ``kind``, ``ts_us``) that says
  something other than the row's entry (``stockade.store.audit``);
* ``index`` — an entity index row the log does not back, or one it lacks.

    >>> log_entries = [b"a", b"b", b"c"]
    >>> rows = [Row(0, b"a"), Row(1, b"c"), Row(2, b"b"), Row(3, b"x")]
    >>> [(f.kind, f.index) for f in audit_rows(log_entries.__getitem__, 3, rows).findings]
    [('reordered', 1), ('reordered', 2), ('inserted', 3)]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Row:
    """One store row: the log index it claims and the entry bytes it holds."""

    index: int
    entry: bytes


FindingKind = Literal["edited", "deleted", "inserted", "reordered", "column", "index"]


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    index: int
    """The row's index (for ``deleted``: the log index no row holds)."""
    log_index: int | None
    detail: str


@dataclass(slots=True)
class AuditReport:
    log_size: int
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _digest(entry: bytes) -> bytes:
    return hashlib.sha256(entry).digest()[:16]  # an index key, not a proof: 128 bits is plenty


def audit_rows(entry_at: Callable[[int], bytes], log_size: int, rows: Iterable[Row]) -> AuditReport:
    """Compare ``rows`` with log entries ``0..log_size-1`` (read through ``entry_at``)."""
    where: dict[bytes, int] = {}
    for i in range(log_size):
        where.setdefault(_digest(entry_at(i)), i)
    report = AuditReport(log_size)
    matched = [False] * log_size
    unknown: list[Row] = []
    findings: list[Finding] = []
    for row in rows:
        report.rows += 1
        j = where.get(_digest(row.entry))
        if j is not None and not matched[j]:
            matched[j] = True
            if j != row.index:
                findings.append(Finding("reordered", row.index, j,
                                        f"row {row.index} holds log entry {j}"))
        else:
            unknown.append(row)
    claimed: set[int] = set()
    for row in unknown:
        if 0 <= row.index < log_size and not matched[row.index] and row.index not in claimed:
            claimed.add(row.index)
            matched[row.index] = True
            findings.append(Finding("edited", row.index, row.index,
                                    f"row {row.index} differs from log entry {row.index}"))
        else:
            why = "past the end of the log" if row.index >= log_size else "its index is already taken"
            findings.append(Finding("inserted", row.index, None,
                                    f"row {row.index} is not in the log ({why})"))
    findings.extend(Finding("deleted", i, i, f"log entry {i} has no row") for i in range(log_size)
                    if not matched[i])
    order = {"deleted": 0, "edited": 1, "reordered": 2, "inserted": 3, "column": 4, "index": 5}
    report.findings = sorted(findings, key=lambda f: (f.index, order[f.kind]))
    return report
