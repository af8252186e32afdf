"""The live picture of each site that a security desk looks at: who is where, doors, devices, panels.

It is the engine's own fold (:class:`stockade.engine.state.SiteState`, the same
code and rules the detectors read), run a second time in the node's process over
the committed events that change that picture, so the API can answer "what is the
site like now" while the engine itself works in a worker process. Tag reads and
stock movements are skipped: they do not change who is where, and they are most of
the volume.

    >>> live = LiveView(sites)                                    # doctest: +SKIP
    >>> live.apply("dc-demo", [(seq, event)])                     # from the node's commit hook  # doctest: +SKIP
    >>> live.picture("dc-demo").people_on_site                    # doctest: +SKIP
    12

A position older than :data:`POSITION_TTL` of event time no longer counts: a
person who left through a door with no exit reader is not on site for ever.
"""

from __future__ import annotations

import threading
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
    def __init__(self, sites: Mapping[str, SiteConfig]) -> None:
        self._states = {site_id: SiteState(site) for site_id, site in sites.items()}
        self._lock = threading.Lock()

    def apply(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        state = self._states.get(site)
        if state is None:
            return
        with self._lock:
            for seq, event in events:
                if isinstance(event, Tag | Stock):
                    continue
                state.begin(event, seq)
                state.apply(event)

    def replay(self, store: Store, site: str) -> int:
        """Rebuild a site's picture from the latest events of its log (at start)."""
        rows = store.query(EventQuery(site, kinds=LIVE_KINDS, limit=REPLAY_EVENTS, newest_first=True))
        self.apply(site, [(row.seq, row.event) for row in reversed(rows)])
        return len(rows)

    def picture(self, site: str) -> LivePicture:
        state = self._states[site]
        config = state.site
        with self._lock:
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


def _zones_of(state: SiteState, device: str) -> tuple[str, ...]:
    """The zones a device sits in or watches (a door: the zones it connects), for marking it on the map."""
    watched = state.devices.map.zones.get(device)
    if watched is not None:
        return watched
    door = state.site.doors_by_id.get(device)
    return tuple(door.zones) if door is not None else ()
