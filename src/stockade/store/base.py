"""The store interface: one per deployment, SQLite embedded or PostgreSQL.

The store keeps each site's log in sequence order (the ledger's entries, as
RFC 8785 bytes), an index of the entities each event names, API keys (hashed),
and engine snapshots. It is the durable truth an acknowledgement waits for.

    >>> store = SqliteStore.open(Path("stockade-data"))        # doctest: +SKIP
    >>> results = store.append("dc-demo", [event])             # doctest: +SKIP
    >>> results[0].status, results[0].seq                      # doctest: +SKIP
    ('accepted', 1)

``append`` is called by one writer per site (the sequencer); it deduplicates by
(site, id), gives each new event the site's next sequence number and commits
before returning.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

import msgspec

from stockade.events import Envelope
from stockade.events.decode import decode_stored
from stockade.events.entities import EntityType
from stockade.incidents.model import IncidentState

SnapshotOf = Literal["engine", "access"]
"""Whose snapshot: the site's engine (detectors, correlation, risk) or its access decision point
(facts and threat levels, :mod:`stockade.node.access_snapshot`); each is kept in a table of its own."""


@dataclass(frozen=True, slots=True)
class AppendResult:
    status: Literal["accepted", "duplicate"]
    seq: int


class StoredEvent(msgspec.Struct, frozen=True, gc=False):
    """One row of a site's log: its sequence number (1-based) and its canonical entry.

    The row types are msgspec structs, not dataclasses: a replay, a query page or an audit makes one
    per row, and a struct is made in a sixth of the time of a frozen dataclass (62 against 399 ns)."""

    site: str
    seq: int
    entry: bytes

    @property
    def event(self) -> Envelope:
        return decode_stored(self.entry)


class StoredRow(msgspec.Struct, frozen=True, gc=False):
    """One event row with every column the store keeps: what ``ledger audit`` and the
    start-up check hold against the log. ``mac`` is the row's seal (None before seals existed)."""

    seq: int
    id: str
    kind: str
    ts_us: int
    entry: bytes
    mac: bytes | None


class IndexRow(msgspec.Struct, frozen=True, gc=False):
    """One row of the entity index: event ``seq`` names entity ``(etype, eid)``."""

    seq: int
    etype: str
    eid: str


@dataclass(frozen=True, slots=True)
class EventQuery:
    site: str
    since: datetime | None = None
    until: datetime | None = None
    kinds: tuple[str, ...] = ()
    entity: tuple[EntityType, str] | None = None
    after_seq: int = 0
    limit: int = 100
    newest_first: bool = False
    before_seq: int | None = None  # only rows before this sequence number (paging newest first)


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key as stored: only the hash of the secret is kept."""

    key_id: str
    secret_hash: str
    scopes: tuple[str, ...]
    site: str | None = None
    sources: tuple[str, ...] = ()
    label: str = ""
    revoked: bool = False
    kinds: tuple[str, ...] = ()  # ingest keys: the event kinds it may send (empty: the device kinds)
    roles: tuple[str, ...] = ()  # analyst and admin keys: the roles its holder has (approving playbook steps)


@dataclass(frozen=True, slots=True)
class IncidentCursor:
    """Where a page ended, in the order newest opened first: (opened, site, id)."""

    opened_us: int
    site: str
    incident: str

    def encode(self) -> str:
        raw = f"{self.opened_us}|{self.site}|{self.incident}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> IncidentCursor:
        """Raises ValueError when ``text`` is not a cursor this store gave out."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            opened, site, incident = raw.split("|", 2)
            return cls(int(opened), site, incident)
        except (ValueError, UnicodeDecodeError) as e:
            raise ValueError(f"not a cursor: {text!r}") from e

    @classmethod
    def after(cls, state: IncidentState) -> IncidentCursor:
        return cls(ts_micros(state.opened), state.site, state.id)


@dataclass(frozen=True, slots=True)
class IncidentQuery:
    site: str | None = None
    status: str | None = None
    after: IncidentCursor | None = None
    limit: int = 50


class Store(Protocol):
    keys_without_waiting: bool
    """True when :meth:`get_key` never waits for a writer or the network (SQLite: its own read
    connection per thread, in WAL mode): the API then checks a key on its event loop instead of
    crossing to a worker thread for it."""

    def append(
        self, site: str, events: Sequence[Envelope], entries: Sequence[bytes], *, wait_for_disk: bool = True
    ) -> list[AppendResult]:
        """Deduplicate, sequence and commit; one result per event, in order.

        With ``wait_for_disk`` (the default, for acknowledged input) the commit, and every commit
        before it, has reached the disk when this returns, even when the batch had nothing new to
        commit. Without it, the commit survives a killed process and reaches the disk at the next
        waiting append or :meth:`sync`."""
        ...

    def sync(self) -> None:
        """Make every commit so far durable on disk."""
        ...

    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        """Add committed events to the entity index (idempotent). A projection: it may lag
        the log by a batch and is rebuilt from ``indexed_seq`` at start."""
        ...

    def indexed_seq(self, site: str) -> int:
        """The highest sequence number in the entity index."""
        ...

    def get(self, site: str, event_id: str) -> StoredEvent | None: ...

    def query(self, q: EventQuery) -> list[StoredEvent]: ...

    def read(self, site: str, after_seq: int = 0, batch: int = 10_000) -> Iterator[StoredEvent]:
        """Every row of a site's log after ``after_seq``, in order (for replay and audit)."""
        ...

    def last_seq(self, site: str) -> int: ...

    def read_rows(self, site: str, after_seq: int = 0, upto: int | None = None,
                  batch: int = 10_000) -> Iterator[StoredRow]:
        """Every column of the rows ``after_seq < seq <= upto``, in sequence order (for checks)."""
        ...

    def read_index(self, site: str, upto: int) -> Iterator[IndexRow]:
        """The entity index rows with ``seq <= upto``, ordered by seq (for ``ledger audit``)."""
        ...

    def count(self, site: str) -> int:
        """How many event rows the site has (equal to ``last_seq`` when the sequence is gapless)."""
    def latest_ts_us(self, site: str, kinds: Sequence[str]) -> int | None:
        """The latest event time (``ts_micros``) among the site's events of ``kinds``: the
        event-time clock ingest flags late events against (None when there is none)."""
        ...

    def sites(self) -> list[str]: ...

    def put_key(self, key: ApiKeyRecord) -> None: ...

    def get_key(self, key_id: str) -> ApiKeyRecord | None: ...

    def list_keys(self) -> list[ApiKeyRecord]: ...

    def save_snapshot(self, site: str, seq: int, data: bytes, *, of: SnapshotOf = "engine") -> None:
        """Keep the site's latest snapshot of ``of`` (the engine's, or the access decision point's),
        taken at log position ``seq``."""
        ...

    def load_snapshot(self, site: str, *, of: SnapshotOf = "engine") -> tuple[int, bytes] | None: ...

    # --- the incident projection (see stockade.store.incidents) ---

    def put_incidents(self, site: str, states: Sequence[IncidentState], seq: int) -> None:
        """Upsert incidents' current states and record that the log is folded up to ``seq``."""
        ...

    def get_incident(self, site: str, incident: str) -> IncidentState | None: ...

    def list_incidents(self, q: IncidentQuery) -> list[IncidentState]:
        """Newest opened first, after ``q.after`` (opened_us, site, id), at most ``q.limit``."""
        ...

    def incidents_seq(self, site: str) -> int:
        """The highest log sequence number the incident projection has folded."""
        ...

    def close(self) -> None: ...


def ts_micros(ts: datetime) -> int:
    """Event time as integer microseconds since the epoch (UTC), for range queries."""
    return int(ts.timestamp() * 1_000_000)
