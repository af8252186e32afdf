"""A site's tlog-tiles files in PostgreSQL: the tile store the workers of a cluster share.

Any worker that takes a site's partition reopens its log from here
(:meth:`stockade.ledger.log.SiteLog.open` with ``files=``), as an embedded
node reopens it from its directory; ``stockade ledger verify`` reads it with
a ``postgresql://…#<site>`` location.

    >>> tiles = PostgresTiles.open(dsn)                       # doctest: +SKIP
    >>> log = SiteLog.open(path, origin, signer, files=tiles.site("dc-1"))   # doctest: +SKIP

A worker's tile store has its :class:`~stockade.store.postgres.fence.Fences`:
each write checks the site's fencing token in the same statement, so a worker
fenced out of a site cannot overwrite the new owner's tiles or checkpoint.
"""

from __future__ import annotations

import threading

import psycopg

from stockade.store.errors import StoreError
from stockade.store.postgres.fence import Fences
from stockade.store.postgres.fence import upsert as fenced_upsert
from stockade.store.postgres.migrations import migrate

Conn = psycopg.Connection[tuple[object, ...]]


class PostgresTiles:
    """One connection, shared by the tile stores of every site this process writes."""

    def __init__(self, conn: Conn, dsn: str, fences: Fences | None = None) -> None:
        self._conn = conn
        self.dsn = dsn
        self._lock = threading.Lock()
        self.fences = fences

    @classmethod
    def open(cls, dsn: str, *, fences: Fences | None = None) -> PostgresTiles:
        try:
            conn: Conn = psycopg.connect(dsn, autocommit=True)
            migrate(conn)
        except psycopg.Error as e:
            raise StoreError(f"cannot open the PostgreSQL tile store ({dsn}): {e}") from e
        return cls(conn, dsn, fences)

    def site(self, site: str) -> SiteTiles:
        return SiteTiles(self, site)

    def read(self, site: str, path: str) -> bytes | None:
        with self._lock:
            try:
                row = self._conn.execute("SELECT data FROM tiles WHERE site=%s AND path=%s", (site, path)).fetchone()
            except psycopg.Error as e:
                raise StoreError(f"reading tile {path} of {site} failed: {e}") from e
        if row is None:
            return None
        if not isinstance(row[0], bytes | memoryview):
            raise StoreError(f"unexpected tile row from PostgreSQL: {type(row[0]).__name__}")
        return bytes(row[0])

    def write(self, site: str, path: str, data: bytes) -> None:
        """One statement, so a reader sees the old bytes or the new ones (fenced: only under our token)."""
        upsert = "INSERT INTO tiles {} ON CONFLICT (site, path) DO UPDATE SET data=EXCLUDED.data"
        with self._lock:
            try:
                fenced_upsert(self._conn, self.fences, site, upsert, (site, path, data))
            except psycopg.Error as e:
                raise StoreError(f"writing tile {path} of {site} failed: {e}") from e

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class SiteTiles:
    """The :class:`~stockade.ledger.source.TileStore` of one site. Every write is committed when it
    returns, so ``write_behind`` and ``write_atomic`` are ``write`` and ``flush`` has nothing to wait for."""

    def __init__(self, tiles: PostgresTiles, site: str) -> None:
        self._tiles = tiles
        self.site = site

    def read(self, path: str) -> bytes | None:
        return self._tiles.read(self.site, path)

    def write(self, path: str, data: bytes) -> None:
        self._tiles.write(self.site, path, data)

    write_behind = write
    write_atomic = write

    def flush(self) -> None:
        return None

    def exists(self, path: str) -> bool:
        return self.read(path) is not None

    def describe(self, path: str) -> str:
        return f"tile {path} of {self.site} in PostgreSQL"
