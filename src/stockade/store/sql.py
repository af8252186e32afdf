"""SQL shared by the SQLite and PostgreSQL stores (same tables, different placeholders)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from stockade.events import Envelope
from stockade.events.entities import indexed_refs
from stockade.ledger.seal import Row, RowSeal, SealedRow
from stockade.store.base import ApiKeyRecord, AppendResult, StoredRow, ts_micros

INSERT_EVENTS = "INSERT INTO events (site, seq, id, kind, ts_us, entry, mac) VALUES ({marks})"
"""The insert of ``AppendPlan.rows`` (their column order); :func:`insert_events` fills in a store's placeholders."""


def insert_events(mark: str) -> str:
    """The row insert with ``mark`` (``?`` or ``%s``) for each of the seven columns."""
    if mark not in _MARKS:
        raise ValueError(f"unknown placeholder {mark!r}")
    return INSERT_EVENTS.format(marks=",".join([mark] * 7))
_MARKS = frozenset({"?", "%s"})  # SQLite's and PostgreSQL's placeholders: nothing else enters the SQL text


READ_ROWS = "SELECT seq, id, kind, ts_us, entry, mac FROM events WHERE site=? AND seq>? AND seq<=? ORDER BY seq LIMIT ?"
"""One page of :func:`paged_rows`, bound as (site, after, upto, batch); ``.replace("?", mark)`` for a store."""


def paged_rows(page: Callable[[int, int], Sequence[StoredRow]], after_seq: int, upto: int | None,
               ) -> Iterator[StoredRow]:
    """A site's rows after ``after_seq`` up to ``upto`` (all, when None), one page at a time:
    ``page(after, upto)`` returns the next rows in seq order (none at the end), e.g. by :data:`READ_ROWS`."""
    last, end = after_seq, (1 << 63) - 1 if upto is None else upto
    while rows := page(last, end):
        yield from rows
        last = rows[-1].seq


@dataclass
class AppendPlan:
    """What one ``append`` writes: per-event results and event rows."""

    results: list[AppendResult] = field(default_factory=list)
    rows: Sequence[SealedRow] = field(default_factory=list)


def plan_append(
    site: str, events: Sequence[Envelope], entries: Sequence[bytes], existing: dict[str, int], last_seq: int,
    seal: RowSeal | None = None,
) -> AppendPlan:
    """Deduplicate by id (against ``existing`` and within the batch) and number new events; each row
    carries its seal (``stockade.ledger.seal``) when the store has the node's key."""
    plan = AppendPlan()
    seen = dict(existing)
    results = plan.results
    rows: list[Row] = []
    next_seq = last_seq + 1
    for event, entry in zip(events, entries, strict=True):
        event_id = event.id
        prior = seen.get(event_id)
        if prior is not None:
            results.append(AppendResult("duplicate", prior))
            continue
        seq = next_seq
        next_seq += 1
        seen[event_id] = seq
        ts_us = ts_micros(event.ts)
        kind = event.kind
        rows.append((site, seq, event_id, kind, ts_us, entry))
        results.append(AppendResult("accepted", seq))
    plan.rows = [(*row, None) for row in rows] if seal is None else seal.sealed(rows)
    return plan


def entity_rows(site: str, events: Sequence[tuple[int, Envelope]]) -> list[tuple[str, str, str, int, int, str]]:
    """Rows of the entity index (a projection, written after the commit that acknowledges), in the
    column order site, etype, eid, seq, ts_us, kind: each names its event's time and kind, so queries
    by entity and time or kind stay in the index. An event is filed under the entities
    :func:`~stockade.events.entities.indexed_refs` gives (not a heartbeat's or a tag read's device)."""
    rows: list[tuple[str, str, str, int, int, str]] = []
    add = rows.append
    for seq, event in events:
        refs = indexed_refs(event)
        if refs:
            ts_us, kind = ts_micros(event.ts), event.kind
            for etype, eid in refs:
                add((site, etype, eid, seq, ts_us, kind))
    return rows


def key_row(key: ApiKeyRecord) -> tuple[object, ...]:
    """The api_keys columns key_id, secret_hash, scopes, site, sources, label, revoked, kinds, roles
    (the stores name them in this order, so a migration may add columns)."""
    return (key.key_id, key.secret_hash, ",".join(key.scopes), key.site, ",".join(key.sources),
            key.label, bool(key.revoked), ",".join(key.kinds), ",".join(key.roles))


def _split(value: object) -> tuple[str, ...]:
    return tuple(s for s in str(value).split(",") if s)


def key_from_row(row: Sequence[object]) -> ApiKeyRecord:
    key_id, secret_hash, scopes, site, sources, label, revoked, kinds, roles = row
    return ApiKeyRecord(
        key_id=str(key_id), secret_hash=str(secret_hash), scopes=_split(scopes),
        site=None if site is None else str(site), sources=_split(sources),
        label=str(label), revoked=bool(revoked), kinds=_split(kinds), roles=_split(roles),
    )
