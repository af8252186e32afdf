"""The node's ledger check: at start (fast, refuses to start) and while running (full, raises an alert).

At start, per site (:func:`check_site_at_start`): the log's own checks
(:mod:`stockade.ledger.startcheck`: checkpoint signature, right edge, no
rollback below the checkpoint remembered outside the data directory), then the
store's tail against the log:

* the store is not shorter than the log, and its sequence is gapless (a
  count, not a scan);
* the rows of the log's last entry bundle hold the log's entries, with
  columns that agree with them;
* every row past the log's end carries a valid seal (the node's own row,
  committed before a crash) and follows in sequence: only those are appended
  to the log and signed. A row inserted while the node was stopped is not.

Older rows are not read at start — that is ``stockade ledger audit`` and the
running check (:func:`positional_audit`), which reads every row once, in
order, without building an index of the log.

    >>> tail, problem = check_store_tail(log, store, "dc-demo", seal)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stockade.ledger.errors import LedgerError
from stockade.ledger.log import SiteLog
from stockade.ledger.seal import RowSeal
from stockade.ledger.tiles import TILE_WIDTH
from stockade.store import Store
from stockade.store.audit import column_problem


class LedgerDamageError(LedgerError):
    """A site's ledger or store did not pass the start-up check; the node does not start."""


@dataclass(frozen=True, slots=True)
class LedgerDamage:
    site: str
    problem: str

    def line(self) -> str:
        """One line: what is wrong, and the command to investigate."""
        return (f"the {self.site} ledger does not check out: {self.problem}; investigate with "
                f"`stockade ledger audit --site {self.site}` (`stockade serve --accept-damage` starts anyway)")


def check_store_tail(log: SiteLog, store: Store, site: str, seal: RowSeal) -> tuple[list[bytes], str | None]:
    """The store's rows past the log's end that the node wrote, or the first problem with the tail."""
    stored = store.last_seq(site)
    if log.size > stored:
        return [], (f"the log has {log.size} entries but the store only {stored}: "
                    "rows were deleted from the store's end")
    count = store.count(site)
    if count != stored:
        return [], (f"the store has {count} rows for sequence numbers 1..{stored}: "
                    f"{'rows were deleted' if count < stored else 'rows were inserted out of sequence'}")
    tail: list[bytes] = []
    expect = max(0, log.size - TILE_WIDTH) + 1
    for row in store.read_rows(site, after_seq=expect - 1):
        if row.seq != expect:
            return [], f"the store has no row {expect} (its next is {row.seq})"
        expect += 1
        if row.seq <= log.size and row.entry != log.entry(row.seq - 1):
            return [], f"row {row.seq - 1} differs from log entry {row.seq - 1}"
        if (problem := column_problem(row)) is not None:
            return [], problem
        if row.seq <= log.size:
            continue
        if not seal.check(site, row.seq, row.id, row.kind, row.ts_us, row.entry, row.mac):
            return [], (f"row {row.seq - 1} is past the log's end and was not written by this node "
                        "(its seal does not verify)")
        tail.append(row.entry)
    return tail, None


def positional_audit(log: SiteLog, store: Store, site: str, upto: int,
                     stopped: Callable[[], bool] = lambda: False) -> str | None:
    """Every row ``1..upto`` holds log entry ``seq - 1`` with agreeing columns; the first problem, or None.

    The running check: one ordered pass, memory independent of the log's size. ``ledger audit``
    names every finding; this stops at the first."""
    expect = 1
    for row in store.read_rows(site, upto=upto):
        if row.seq & 0xFFF == 0 and stopped():
            return None  # the node is stopping: no verdict
        if row.seq != expect:
            return f"the store has no row {expect} (its next is {row.seq})"
        expect += 1
        if row.entry != log.entry(row.seq - 1):
            return f"row {row.seq - 1} differs from log entry {row.seq - 1}"
        if (problem := column_problem(row)) is not None:
            return problem
    if expect != upto + 1:
        return f"the store has no row {expect} (the log has {upto} entries)"
    return None
