"""The store audit names edited, deleted, inserted and reordered rows."""

from __future__ import annotations

from stockade.ledger.audit import Row, audit_rows

LOG = [b'{"id":"e%d"}' % i for i in range(10)]


def _kinds(rows: list[Row]) -> list[tuple[str, int]]:
    return [(f.kind, f.index) for f in audit_rows(LOG.__getitem__, len(LOG), rows).findings]


def _rows() -> list[Row]:
    return [Row(i, e) for i, e in enumerate(LOG)]


def test_clean_store() -> None:
    report = audit_rows(LOG.__getitem__, len(LOG), _rows())
    assert report.ok
    assert report.rows == 10


def test_edited_row() -> None:
    rows = _rows()
    rows[4] = Row(4, b'{"id":"e4","qty":-1}')
    assert _kinds(rows) == [("edited", 4)]


def test_deleted_row() -> None:
    rows = _rows()
    del rows[6]
    assert _kinds(rows) == [("deleted", 6)]


def test_inserted_rows() -> None:
    rows = [*_rows(), Row(10, b'{"id":"fake"}'), Row(3, b'{"id":"dup"}')]
    assert _kinds(rows) == [("inserted", 3), ("inserted", 10)]


def test_reordered_rows() -> None:
    rows = _rows()
    rows[2], rows[5] = Row(2, LOG[5]), Row(5, LOG[2])
    assert _kinds(rows) == [("reordered", 2), ("reordered", 5)]
    report = audit_rows(LOG.__getitem__, len(LOG), rows)
    assert report.findings[0].log_index == 5
