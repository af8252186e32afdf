"""Hold everything the store keeps about a site against its log: entries, columns and the entity index.

Queries do not read entries only: ``kind`` and ``ts_us`` pick the rows of a
kind or time range, ``id`` finds an event and deduplicates, and the entity
index answers "everything about this person". Each is checked:

* the entries, with :func:`stockade.ledger.audit.audit_rows` (edited, deleted,
  inserted, reordered);
* each row's ``id``, ``kind`` and ``ts_us`` against its own entry (``column``);
* the entity index against the entities each logged entry names (``index``),
  up to the highest indexed sequence number (the index is a projection that
  may lag the log by a batch);
* rows past the log's end: the node's own (their seal checks, in sequence,
  appended to the log at the next start) are counted as ``pending``; any other
  is ``inserted``.

    >>> report = audit_store(log, store, "dc-demo", seal)       # doctest: +SKIP
    >>> [(f.kind, f.index) for f in report.findings]            # doctest: +SKIP
    [('column', 4)]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import msgspec

from stockade.events.decode import decode_stored
from stockade.events.entities import indexed_refs
from stockade.events.model import Time
from stockade.ledger.audit import AuditReport, Finding, Row, audit_rows
from stockade.ledger.log import SiteLog
from stockade.ledger.seal import RowSeal
from stockade.store.base import IndexRow, Store, StoredRow, ts_micros


@dataclass
class StoreAuditReport(AuditReport):
    pending: int = 0
    """Rows past the log's end that the node wrote (sealed): the next start appends them."""


class _Columns(msgspec.Struct):
    """The fields of an entry that a row's query columns repeat (the rest of it is skipped)."""

    id: str
    kind: str
    ts: Time


_columns = msgspec.json.Decoder(_Columns)


def column_problem(row: StoredRow) -> str | None:
    """What a row's query columns say that its entry does not (None when they agree).

    Only the three fields are decoded: whether the entry is the event the log holds is the
    positional check's question (every caller asks it), and the log holds only valid events."""
    try:
        event = _columns.decode(row.entry)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return f"row {row.seq - 1}'s entry has no readable id, kind and ts"
    for name, got, want in (("id", row.id, event.id), ("kind", row.kind, event.kind),
                            ("ts_us", row.ts_us, ts_micros(event.ts))):
        if got != want:
            return f"row {row.seq - 1}'s {name} column says {got!r}; its entry says {want!r}"
    return None


def audit_store(log: SiteLog, store: Store, site: str, seal: RowSeal | None) -> StoreAuditReport:
    """Every finding about ``site``'s rows, columns and entity index (reads the whole site)."""
    size = log.size
    columns: list[Finding] = []
    pending = [0]

    def rows() -> Iterator[Row]:
        expect = size + 1
        for r in store.read_rows(site):
            if (problem := column_problem(r)) is not None:
                columns.append(Finding("column", r.seq - 1, None, problem))
            if r.seq == expect and seal is not None and seal.check(site, r.seq, r.id, r.kind, r.ts_us,
                                                                   r.entry, r.mac):
                pending[0] += 1  # the node's own row, committed before a crash: not in the log yet
                expect += 1
                continue
            yield Row(r.seq - 1, r.entry)

    base = audit_rows(log.entry, size, rows())
    report = StoreAuditReport(base.log_size, base.rows, base.findings, pending=pending[0])
    report.findings += columns
    report.findings += audit_index(log, store.read_index(site, min(size, store.indexed_seq(site))),
                                   min(size, store.indexed_seq(site)))
    report.findings.sort(key=lambda f: (f.index, f.kind))
    return report


def audit_index(log: SiteLog, index: Iterator[IndexRow], upto: int) -> list[Finding]:
    """Compare the entity index rows (ordered by seq, ``seq <= upto``) with what log entries name."""
    findings: list[Finding] = []
    pending = next(index, None)
    for seq in range(1, upto + 1):
        want = {f"{t} {i}" for t, i in indexed_refs(decode_stored(log.entry(seq - 1)))}
        got: set[str] = set()
        while pending is not None and pending.seq <= seq:
            if pending.seq == seq:
                got.add(f"{pending.etype} {pending.eid}")
            else:  # below seq: only possible for seq <= 0, which no event has
                findings.append(Finding("index", pending.seq - 1, None,
                                        f"the entity index names event seq {pending.seq}, which no entry has"))
            pending = next(index, None)
        for ref in sorted(got - want):
            findings.append(Finding("index", seq - 1, seq - 1,
                                    f"the entity index files log entry {seq - 1} under {ref}, which it does not name"))
        for ref in sorted(want - got):
            findings.append(Finding("index", seq - 1, seq - 1,
                                    f"the entity index does not file log entry {seq - 1} under {ref}"))
    return findings
