"""SQL of the incident projection, shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Sequence

from stockade.incidents.model import IncidentState, encode_state
from stockade.store.base import ts_micros

COLUMNS = "site, id, status, opened_us, state"


def upsert_sql(mark: str) -> str:
    return (f"INSERT INTO incidents ({COLUMNS}) VALUES ({mark},{mark},{mark},{mark},{mark}) "
            "ON CONFLICT (site, id) DO UPDATE SET status=excluded.status, opened_us=excluded.opened_us, "
            "state=excluded.state")


def progress_sql(mark: str) -> str:
    return (f"INSERT INTO incident_progress (site, seq) VALUES ({mark},{mark}) "
            "ON CONFLICT (site) DO UPDATE SET seq = CASE WHEN excluded.seq > incident_progress.seq "
            "THEN excluded.seq ELSE incident_progress.seq END")


def rows(site: str, states: Sequence[IncidentState]) -> list[tuple[object, ...]]:
    return [(site, s.id, s.status, ts_micros(s.opened), encode_state(s)) for s in states]


def list_sql(mark: str, site: str | None, status: str | None, after: tuple[int, str, str] | None,
             limit: int) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if site is not None:
        where.append(f"site = {mark}")
        params.append(site)
    if status is not None:
        where.append(f"status = {mark}")
        params.append(status)
    if after is not None:
        where.append(f"(opened_us, site, id) < ({mark}, {mark}, {mark})")
        params += list(after)
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    params.append(limit)
    return (f"SELECT state FROM incidents {clause}ORDER BY opened_us DESC, site DESC, id DESC LIMIT {mark}",
            params)
