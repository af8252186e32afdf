"""Fencing tokens: only a site's newest owner writes its log, and PostgreSQL checks it in the write.

A cluster worker trusts its partition lease for ``0.8 × lease_s`` after it
renewed it (a fence by its own clock). A worker paused past its lease
(SIGSTOP, a long GC, a stuck disk) after that check and before its commit
would still write when it resumes. So each site also has a fencing token in
PostgreSQL (table ``site_fence``): the worker taking a site *claims* it with
the revision of its lease in the NATS KV bucket — the bucket's revisions only
grow, and a later owner's ``create`` comes after every write of the earlier
one — before it reads the site's log, and every write of the log (events,
tiles, snapshots, the incident projection) checks, in its own transaction and
under a row lock on the site's fence row, that its token is still the site's
token. A stale write fails with :class:`Fenced`, writes nothing, and the site
is marked lost: the worker drops it and freezes its log.

    >>> fences = Fences()
    >>> fences.claimed("dc-1")
    False
    >>> store = PostgresStore.open(dsn, fences=fences)         # doctest: +SKIP
    >>> store.claim("dc-1", token=412, owner="w1")              # doctest: +SKIP

The claim and the writes agree through the row lock: a claim waits for a write
holding the fence row (``FOR SHARE``) to commit, and a write after the claim
sees the new token (PostgreSQL re-reads a locked row's newest version), so
everything the old owner committed comes before the claim, and the new owner
reads it when it opens the log. A process with no :class:`Fences` (the
embedded node) writes unfenced, as before.
"""

from __future__ import annotations

import threading

import psycopg

from stockade.store.errors import StoreError

Conn = psycopg.Connection[tuple[object, ...]]
_CLAIM = (b"INSERT INTO site_fence (site, token, owner) VALUES (%s, %s, %s) ON CONFLICT (site) DO UPDATE "
          b"SET token = EXCLUDED.token, owner = EXCLUDED.owner WHERE site_fence.token <= EXCLUDED.token")
_HOLD = b"SELECT token, owner FROM site_fence WHERE site = %s FOR SHARE"
GUARD = "WITH fence AS (SELECT 1 FROM site_fence WHERE site = %s AND token = %s FOR SHARE) "
"""Prefix of a one-statement fenced write: ``INSERT … SELECT … FROM fence`` writes no row when stale."""


def upsert(conn: Conn, fences: Fences | None, site: str, statement: str, values: tuple[object, ...]) -> None:
    """Run one ``INSERT INTO … {} ON CONFLICT …`` with ``{}`` the source of its three ``values``:
    as it is without ``fences`` (the embedded node), else only under the site's token (:data:`GUARD`),
    :class:`Fenced` when a newer owner holds the site."""
    if fences is None:
        conn.execute(statement.format("VALUES (%s,%s,%s)").encode(), values)
        return
    cur = conn.execute((GUARD + statement.format("SELECT %s,%s,%s FROM fence")).encode(),
                       (site, fences.token(site), *values))
    fences.written(site, cur.rowcount)


class Fenced(StoreError):
    """A newer owner has claimed the site: this process must write nothing more to its log."""


class Fences:
    """The fencing token of every site this process writes, and the sites it has lost."""

    def __init__(self) -> None:
        self._tokens: dict[str, int] = {}
        self._lost: set[str] = set()
        self._guard = threading.Lock()

    def claimed(self, site: str) -> bool:
        with self._guard:
            return site in self._tokens and site not in self._lost

    def lost(self) -> set[str]:
        with self._guard:
            return set(self._lost)

    def forget(self, site: str) -> None:
        """This process no longer writes ``site`` (it gave the partition back or dropped it)."""
        with self._guard:
            self._tokens.pop(site, None)
            self._lost.discard(site)

    def token(self, site: str) -> int:
        """The token to write under; :class:`Fenced` when the site was never claimed here or is lost."""
        with self._guard:
            token = self._tokens.get(site)
            if site in self._lost:
                raise Fenced(f"this process was fenced out of {site!r}: it must not write its log")
            if token is None:
                raise Fenced(f"this process holds no fencing token of {site!r}: it must not write its log")
            return token

    def claim(self, conn: Conn, site: str, token: int, owner: str) -> None:
        """Make ``token`` the site's (autocommit ``conn``); :class:`Fenced` if a newer one is there."""
        try:
            cur = conn.execute(_CLAIM, (site, token, owner))
        except psycopg.Error as e:
            raise StoreError(f"claiming {site} failed: {e}") from e
        if cur.rowcount != 1:
            self.lose(site, f"{site!r} is claimed with a newer token than {token}: another worker owns it")
        with self._guard:
            self._tokens[site] = token
            self._lost.discard(site)

    def check(self, conn: Conn, site: str) -> None:
        """Inside the caller's transaction: the site's token is still ours, and stays so until it commits."""
        token = self.token(site)
        row = conn.execute(_HOLD, (site,)).fetchone()
        if row is None or row[0] != token:
            holder = "nobody" if row is None else f"{row[1]} (token {row[0]})"
            self.lose(site, f"{site!r} is claimed by {holder}, not by this process (token {token})")

    def written(self, site: str, rowcount: int) -> None:
        """After a one-statement write prefixed with :data:`GUARD`: no row written means stale."""
        if rowcount == 0:
            self.lose(site, f"{site!r} was claimed by a newer owner: the write was refused")

    def lose(self, site: str, why: str) -> None:
        with self._guard:
            self._lost.add(site)
        raise Fenced(f"fenced: {why}; this process drops the site")
