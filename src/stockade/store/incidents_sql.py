"""SQL of the incident projection, shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Sequence

from stockade.incidents.model import IncidentState, encode_state
from stockade.store.base import ts_micros

_MARKS = frozenset({"?", "%s"})  # SQLite's and PostgreSQL's placeholders: nothing else enters the SQL text
_UPSERT = ("INSERT INTO incidents (site, id, status, opened_us, state) VALUES (?,?,?,?,?) "
           "ON CONFLICT (site, id) DO UPDATE SET status=excluded.status, opened_us=excluded.opened_us, "
           "state=excluded.state")
_PROGRESS = ("INSERT INTO incident_progress (site, seq) VALUES (?,?) "
             "ON CONFLICT (site) DO UPDATE SET seq = CASE WHEN excluded.seq > incident_progress.seq "
             "THEN excluded.seq ELSE incident_progress.seq END")


def _marked(sql: str, mark: str) -> str:
    if mark not in _MARKS:
        raise ValueError(f"unknown placeholder {mark!r}")
    return sql.replace("?", mark)


def upsert_sql(mark: str) -> str:
    return _marked(_UPSERT, mark)


def progress_sql(mark: str) -> str:
    return _marked(_PROGRESS, mark)


def rows(site: str, states: Sequence[IncidentState]) -> list[tuple[object, ...]]:
    return [(site, s.id, s.status, ts_micros(s.opened), encode_state(s)) for s in states]


def list_sql(mark: str, site: str | None, status: str | None, after: tuple[int, str, str] | None,
             limit: int) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if site is not None:
        where.append("site = ?")
        params.append(site)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if after is not None:
        where.append("(opened_us, site, id) < (?, ?, ?)")
        params += list(after)
    parts = ["SELECT state FROM incidents", *(["WHERE", " AND ".join(where)] if where else []),
             "ORDER BY opened_us DESC, site DESC, id DESC LIMIT ?"]
    params.append(limit)
    return _marked(" ".join(parts), mark), params
