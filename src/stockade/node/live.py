"""The live picture of each site that a security desk looks at: who is where, doors, devices, panels.

It is the engine's own fold (:class:`stockade.engine.state.SiteState`, the same
code and rules the detectors read), run a second time in the node's process over
the committed events that change that picture, so the API can answer "what is the
site like now" while the engine itself works in a worker process. Tag reads and
stock movements are skipped: they do not change who is where, and they are most of
the volume.

    >>> live = LiveView(sites, store)                             # doctest: +SKIP
    >>> live.apply("dc-demo", [(seq, event)])                     # from the node's commit hook  # doctest: +SKIP
    >>> live.picture("dc-demo").people_on_site                    # doctest: +SKIP
    12

The commit hook only queues what was committed (one list append per batch): the fold runs when
somebody asks for the picture, in that caller's thread, not under the site's lock that ingest
and access decisions wait for, and not at all while nobody looks. Past :data:`MAX_PENDING`
queued events (far more while somebody is looking) the queue is dropped and the next picture is
rebuilt from the log, as at start.

A position older than :data:`POSITION_TTL` of event time no longer counts: a
person who left through a door with no exit reader is not on site for ever.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import msgspec

from stockade.engine.state import SiteState
from stockade.events import Envelope, Stock, Tag
from stockade.site import SiteConfig
from stockade.store import EventQuery, Store

POSITION_TTL = timedelta(hours=16)
REPLAY_EVENTS = 200_000
"""How many of a site's latest events (other than tag reads and stock) rebuild the picture at start."""
MAX_PENDING = 20_000
"""Committed events queued for the fold while nobody looks (about 20 MB); past it the queue is
dropped and the next picture is rebuilt from the log: memory stays small during a `stockade
ingest` of a large file, and whoever looks after a long pause waits for one rebuild (about 1.6 s
for 200,000 events on the development machine), as at start."""
MAX_PENDING_WATCHED = REPLAY_EVENTS
"""The queue's bound while somebody has looked in the last :data:`WATCHED_S` (the dashboard's map
asks every 5 s): the next look folds it, so a busy site is never rebuilt under a watching desk."""
WATCHED_S = 60.0
LIVE_KINDS = ("access", "door", "sensor", "video", "device", "gate", "admin", "decision", "tick")


class DeviceDown(msgspec.Struct, frozen=True):
    device: str
    kind: str | None
    status: str
    since: datetime
    zones: tuple[str, ...]


class ZoneNow(msgspec.Struct, frozen=True):
    zone: str
    kind: str
    people: int
    armed: bool | None


class LivePicture(msgspec.Struct, frozen=True):
    """What the site looks like at its event time ``at`` (None before its first event)."""

    site: str
    at: datetime | None
    people_on_site: int
    zones: tuple[ZoneNow, ...]
    doors: dict[str, str]
    devices_down: tuple[DeviceDown, ...]


class LiveView:
    def __init__(self, sites: Mapping[str, SiteConfig], store: Store) -> None:
        self._sites = sites
        self._store = store
        self._states = {site_id: SiteState(site) for site_id, site in sites.items()}
        self._pending: dict[str, list[Sequence[tuple[int, Envelope]]]] = {site_id: [] for site_id in sites}
        self._held = dict.fromkeys(sites, 0)
        # sites whose picture comes from the log at the next look: all of them until the node's start
        # has replayed them (after the doors and the engines), and any whose queue overflowed since
        self._rebuild: set[str] = set(sites)
        self._looked: dict[str, float] = {}  # site -> when its picture was last asked for (monotonic)
        self._lock = threading.Lock()

    def apply(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        """Queue one committed batch (the commit hook; the fold waits for :meth:`picture`)."""
        if site not in self._states or not events:
            return
        with self._lock:
            if site in self._rebuild:
                return
            self._pending[site].append(events)
            self._held[site] += len(events)
            watched = time.monotonic() - self._looked.get(site, -WATCHED_S) < WATCHED_S
            if self._held[site] > (MAX_PENDING_WATCHED if watched else MAX_PENDING):
                self._pending[site], self._held[site] = [], 0
                self._rebuild.add(site)

    def replay(self, site: str) -> int:
        """Rebuild a site's picture from the latest events of its log (at start)."""
        with self._lock:
            return self._replay(site)

    def _replay(self, site: str) -> int:
        rows = self._store.query(EventQuery(site, kinds=LIVE_KINDS, limit=REPLAY_EVENTS, newest_first=True))
        state = self._states[site] = SiteState(self._sites[site])
        self._pending[site], self._held[site] = [], 0
        self._rebuild.discard(site)
        _fold(state, [(row.seq, row.event) for row in reversed(rows)])
        return len(rows)

    def _state(self, site: str) -> SiteState:
        """The site's state with every queued batch folded in (the caller holds the lock)."""
        if site in self._rebuild:
            self._replay(site)
        state = self._states[site]
        for events in self._pending[site]:
            _fold(state, events)
        self._pending[site], self._held[site] = [], 0
        return state

    def picture(self, site: str) -> LivePicture:
        with self._lock:
            self._looked[site] = time.monotonic()
            state = self._state(site)
            config = state.site
            now = state.now
            where = dict(state.people.where)
            doors = dict(state.doors.state)
            down = dict(state.devices.down)
            armed = {zone: change.armed for zone, change in state.zones.armed.items()}
        fresh = [p.zone for p in where.values() if now is None or now - p.ts <= POSITION_TTL]
        kinds = {z.id: z.kind for z in config.zones}
        occupancy = Counter(z for z in fresh if kinds.get(z) != "perimeter")
        zones = tuple(
            ZoneNow(z.id, z.kind, occupancy.get(z.id, 0), armed.get(z.id)) for z in config.zones
        )
        devices = tuple(
            DeviceDown(device, state.devices.kind_of(device), d.status, d.ts, _zones_of(state, device))
            for device, d in sorted(down.items())
        )
        return LivePicture(site, now, sum(occupancy.values()), zones, doors, devices)


def _fold(state: SiteState, events: Sequence[tuple[int, Envelope]]) -> None:
    """Fold what the picture has not seen yet: a batch queued while the log was read for a rebuild
    may hold events the rebuild read too."""
    for seq, event in events:
        if seq <= state.last_seq or isinstance(event, Tag | Stock):
            continue
        state.begin(event, seq)
        state.apply(event)


def _zones_of(state: SiteState, device: str) -> tuple[str, ...]:
    """The zones a device sits in or watches (a door: the zones it connects), for marking it on the map."""
    watched = state.devices.map.zones.get(device)
    if watched is not None:
        return watched
    door = state.site.doors_by_id.get(device)
    return tuple(door.zones) if door is not None else ()
