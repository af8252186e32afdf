"""Event queries that use their indexes: the SQL of :class:`EventQuery`, shared by both stores.

Each query kind is driven from the index that holds its key, in the order the answer wants, so a
page costs about its length whatever the size of the log:

* by entity: the entity index's primary key (site, etype, eid, seq), kind filtered from the row;
* by kind or by time (with or without entity and kinds): first a short walk of ``PROBE`` rows in
  sequence order from where the page starts (common kinds, a window touching the newest events, or
  the next page of a wide one are answered there); when that does not fill the page, one walk of
  (site, kind, seq) per kind, the first ``limit`` of each merged, or the time index
  ((site, ts_us, kind) on the log, (site, etype, eid, ts_us, kind) on the entity index) gives the
  window's sequence numbers, of which the first ``limit`` are kept (a sort of the window's numbers,
  never of its entries). The entity index's time index leaves EPCs out (:data:`TIMED_ENTITIES`):
  an EPC's window is the walk of its own rows, time filtered from the row;
* nothing but the site: the log's primary key.

Only the matching rows' entries are read. The SQL text is made of constant fragments and the
placeholder; every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stockade.store.base import EventQuery, ts_micros

PROBE = 256
"""Rows walked in sequence order before a time query turns to the time index."""
UNTIMED = "epc"
TIMED_ENTITIES = f"etype != '{UNTIMED}'"
"""The rows the entity index's time index (``entities_by_time``) holds: every entity's but an
EPC's. A site reads far more EPCs than it has doors, people or zones, each with a short history (its
reads and moves), and their rows land at random places in an index keyed by EPC: leaving them out of
the second index halves what an EPC's row costs to file (the worker writes the index), and an EPC's
time window is answered by walking its history, which is as long as the EPC has rows. A query uses
the time index with this term in its text, so both stores know the partial index applies."""

Row = tuple[int, bytes | None]
Fetch = Callable[[str, list[object]], Sequence[Row]]
"""Run one SELECT of (seq, entry) and return its rows (entry None: walked, not matching)."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the stores' SQL: the placeholder, where the entity index lives, and how
    a walk is told to use the time index rather than the sequence order."""

    mark: str
    entities: str
    time_hint: str  # after the log's table name in the window walk
    entity_time_hint: str  # after the entity table's name in the window walk
    order_hint: str  # after ``seq`` in a window walk's ORDER BY

    def sql(self, text: str) -> str:
        return text.replace("?", self.mark)


SQLITE = Dialect("?", "idx.entities", "INDEXED BY events_by_time_kind", "INDEXED BY entities_by_time", "")
POSTGRES = Dialect("%s", "entities", "", "", "+ 0")


def run_query(q: EventQuery, dialect: Dialect, fetch: Fetch) -> list[tuple[int, bytes]]:
    """The rows (seq, entry) answering ``q``, in its order, at most ``q.limit``."""
    if q.limit <= 0:
        return []
    timed = q.since is not None or q.until is not None
    if not timed and (q.entity is not None or not q.kinds):
        return _entries(fetch(*_direct(q, dialect)))
    probe = fetch(*_probe(q, dialect))
    found = _entries(probe)
    if len(found) >= q.limit or len(probe) < PROBE:
        return found[: q.limit]
    last, rest = probe[-1][0], q.limit - len(found)
    return found + _entries(fetch(*(_window(q, dialect, last, rest) if timed else _by_kind(q, dialect, last, rest))))


def _entries(rows: Sequence[Row]) -> list[tuple[int, bytes]]:
    return [(int(seq), bytes(entry)) for seq, entry in rows if entry is not None]


def _bounds(q: EventQuery, column: str, after: int | None = None) -> tuple[list[str], list[object]]:
    """The sequence bounds of a page: after ``after_seq``, before ``before_seq``; ``after`` (a walk
    that stopped there) moves the start of an oldest-first page or the end of a newest-first one."""
    lo, hi = q.after_seq, q.before_seq
    if after is not None:
        if q.newest_first:
            hi = after if hi is None else min(hi, after)
        else:
            lo = max(lo, after)
    where: list[str] = [f"{column} > ?"]
    params: list[object] = [lo]
    if hi is not None:
        where.append(f"{column} < ?")
        params.append(hi)
    return where, params


def _filters(q: EventQuery, prefix: str) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    if q.since is not None:
        where.append(f"{prefix}ts_us >= ?")
        params.append(ts_micros(q.since))
    if q.until is not None:
        where.append(f"{prefix}ts_us < ?")
        params.append(ts_micros(q.until))
    if q.kinds:
        where.append(f"{prefix}kind IN (" + ",".join("?" * len(set(q.kinds))) + ")")
        params += sorted(set(q.kinds))
    return where, params


def _order(q: EventQuery) -> str:
    return "DESC" if q.newest_first else "ASC"


def _sql(*parts: str) -> str:
    """SQL text from constant fragments (column names, keywords, ``?``): never a value."""
    return " ".join(p for p in parts if p)


def _and(terms: Sequence[str]) -> str:
    return " AND ".join(terms)


def _by_seqs(q: EventQuery, inner: str, params: list[object], dialect: Dialect,
             limit: int | None = None) -> tuple[str, list[object]]:
    """The entries of the sequence numbers ``inner`` selects, in the page's order."""
    sql = _sql("SELECT e.seq, e.entry FROM events e WHERE e.site = ? AND e.seq IN (", inner, ") ORDER BY e.seq",
               _order(q), "" if limit is None else "LIMIT ?")
    return dialect.sql(sql), [q.site, *params] + ([] if limit is None else [limit])


def _entity_walk(q: EventQuery, entity: tuple[str, str], dialect: Dialect, limit: int, time_index: bool,
                 after: int | None = None) -> tuple[str, list[object]]:
    """The entity's first ``limit`` sequence numbers in the page's bounds and filters: from the time
    index (a window on an entity it holds) or its primary key (in sequence order)."""
    bounds, bparams = _bounds(q, "x.seq", after)
    filters, fparams = _filters(q, "x.")
    where = ["x.site = ?", "x.etype = ?", "x.eid = ?", *([f"x.{TIMED_ENTITIES}"] if time_index else []), *bounds,
             *filters]
    sql = _sql("SELECT x.seq FROM", dialect.entities, "x", dialect.entity_time_hint if time_index else "",
               "WHERE", _and(where), "ORDER BY x.seq", dialect.order_hint if time_index else "", _order(q), "LIMIT ?")
    return sql, [q.site, entity[0], entity[1], *bparams, *fparams, limit]


def _direct(q: EventQuery, dialect: Dialect) -> tuple[str, list[object]]:
    """No time bound and no kinds but the entity's: the entity index or the log's key, in sequence order."""
    if q.entity is not None:
        inner, params = _entity_walk(q, q.entity, dialect, q.limit, time_index=False)
        return _by_seqs(q, inner, params, dialect)
    bounds, bparams = _bounds(q, "seq")
    sql = _sql("SELECT seq, entry FROM events WHERE site = ? AND", _and(bounds), "ORDER BY seq", _order(q), "LIMIT ?")
    return dialect.sql(sql), [q.site, *bparams, q.limit]


def _by_kind(q: EventQuery, dialect: Dialect, after: int, limit: int) -> tuple[str, list[object]]:
    """Kinds the probe did not find enough of: one walk of (site, kind, seq) per kind, merged."""
    bounds, bparams = _bounds(q, "seq", after)
    kinds = sorted(set(q.kinds))
    walk = _sql("SELECT seq FROM events WHERE site = ? AND kind = ? AND", _and(bounds), "ORDER BY seq", _order(q),
                "LIMIT ?")
    if len(kinds) == 1:
        return dialect.sql(walk.replace("SELECT seq FROM", "SELECT seq, entry FROM", 1)), \
            [q.site, kinds[0], *bparams, limit]
    arms: list[str] = []
    params: list[object] = []
    for kind in kinds:
        arms.append(_sql("SELECT seq FROM (", walk, ") k"))
        params += [q.site, kind, *bparams, limit]
    return _by_seqs(q, " UNION ALL ".join(arms), params, dialect, limit)


def _probe(q: EventQuery, dialect: Dialect) -> tuple[str, list[object]]:
    """``PROBE`` rows in sequence order from where the page starts; the entry of those that match."""
    if q.entity is not None:
        bounds, bparams = _bounds(q, "x.seq")
        filters, fparams = _filters(q, "x.")
        where = ["x.site = ?", "x.etype = ?", "x.eid = ?", *bounds]
        walk = _sql("SELECT x.seq, CASE WHEN", _and(filters), "THEN 1 ELSE 0 END AS hit FROM", dialect.entities, "x",
                    "WHERE", _and(where), "ORDER BY x.seq", _order(q), "LIMIT ?")
        sql = _sql("SELECT p.seq, CASE WHEN p.hit = 1 THEN (SELECT e.entry FROM events e WHERE e.site = ?",
                   "AND e.seq = p.seq) END FROM (", walk, ") p ORDER BY p.seq", _order(q))
        return dialect.sql(sql), [q.site, *fparams, q.site, q.entity[0], q.entity[1], *bparams, PROBE]
    bounds, bparams = _bounds(q, "seq")
    filters, fparams = _filters(q, "")
    sql = _sql("SELECT seq, CASE WHEN", _and(filters), "THEN entry END FROM events WHERE site = ? AND", _and(bounds),
               "ORDER BY seq", _order(q), "LIMIT ?")
    return dialect.sql(sql), [*fparams, q.site, *bparams, PROBE]


def _window(q: EventQuery, dialect: Dialect, after: int, limit: int) -> tuple[str, list[object]]:
    """The first ``limit`` sequence numbers of the time window past ``after``, from the time index."""
    if q.entity is not None:
        inner, params = _entity_walk(q, q.entity, dialect, limit, time_index=q.entity[0] != UNTIMED, after=after)
        return _by_seqs(q, inner, params, dialect)
    bounds, bparams = _bounds(q, "t.seq", after)
    filters, fparams = _filters(q, "t.")
    inner = _sql("SELECT t.seq FROM events t", dialect.time_hint, "WHERE", _and(["t.site = ?", *filters, *bounds]),
                 "ORDER BY t.seq", dialect.order_hint, _order(q), "LIMIT ?")
    return _by_seqs(q, inner, [q.site, *fparams, *bparams, limit], dialect)
