"""Device health and per-source sequence numbers.

Cameras, RFID readers, alarm panels and gates heartbeat (``device`` events with
``status: online`` every ``devices.heartbeat_s``); one that sends nothing for
three periods counts as offline ("silent"). Sensors and door controllers are
judged only by explicit ``offline``, ``tamper`` or ``fault``. A device is
*tampered* from a ``tamper`` status until an ``online`` from it (a reboot or a
``recording_started`` does not clear it: fail secure at the door it guards).

Silence is found in O(1) per event: ``last_seen`` is kept in the order devices
were last heard from, so only its head can be overdue.

    >>> health = DeviceHealth(site)                  # doctest: +SKIP
    >>> health.apply_device(tamper_at_d_hv); health.tampered("D-HV")   # doctest: +SKIP
    True
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

import msgspec

from stockade.events.model import Device
from stockade.site.config import SiteConfig
from stockade.site.devices import DeviceMap

DOWN_STATUSES = frozenset({"offline", "tamper", "fault", "recording_stopped"})
SILENT = "silent"


class Down(NamedTuple):
    ts: datetime
    status: str
    event: str


class DevicesSnapshot(msgspec.Struct, frozen=True):
    status: dict[str, str]
    down: dict[str, Down]
    last_seen: dict[str, datetime]  # in the order devices were last heard from
    newly_silent: list[tuple[str, datetime]]
    seq: dict[str, int]
    tampered: set[str]


class DeviceHealth:
    def __init__(self, site: SiteConfig) -> None:
        self.map = DeviceMap.of(site)
        self.heartbeating = self.map.heartbeating
        self.silence = timedelta(seconds=3 * site.devices.heartbeat_s)
        self.status: dict[str, str] = {}
        self.down: dict[str, Down] = {}
        self.last_seen: dict[str, datetime] = {}
        self.newly_silent: list[tuple[str, datetime]] = []
        self.seq: dict[str, int] = {}
        self._tampered: set[str] = set()

    def save(self) -> DevicesSnapshot:
        return DevicesSnapshot(self.status, self.down, self.last_seen, self.newly_silent, self.seq,
                               self._tampered)

    def load(self, saved: DevicesSnapshot) -> None:
        self.status, self.down, self.last_seen = saved.status, saved.down, saved.last_seen
        self.newly_silent, self.seq, self._tampered = saved.newly_silent, saved.seq, saved.tampered

    def kind_of(self, device: str) -> str | None:
        return self.map.kind.get(device)

    def tampered(self, device: str) -> bool:
        return device in self._tampered

    def expire(self, now: datetime) -> None:
        """Mark heartbeating devices silent for three periods; sets ``newly_silent``."""
        if self.newly_silent:
            self.newly_silent = []
        seen = self.last_seen
        limit = now - self.silence
        while seen:
            device = next(iter(seen))
            last = seen[device]
            if last > limit:
                break
            del seen[device]
            if device not in self.down:
                self.down[device] = Down(last + self.silence, SILENT, "")
                self.newly_silent.append((device, last))

    def heard(self, device: str, ts: datetime) -> None:
        """Any event naming the device proves it is alive (though maybe not recording)."""
        if device in self.heartbeating:
            seen = self.last_seen
            prev = seen.pop(device, None)
            seen[device] = ts if prev is None or ts > prev else prev
        down = self.down.get(device)
        if down is not None and down.status == SILENT:
            del self.down[device]

    def apply_device(self, event: Device) -> None:
        device, status = event.device, event.status
        self.status[device] = status
        if status == "tamper":
            self._tampered.add(device)
        elif status == "online":
            self._tampered.discard(device)
        if status in DOWN_STATUSES:
            if status == "offline":
                self.last_seen.pop(device, None)
            else:
                self.heard(device, event.ts)
            self.down[device] = Down(event.ts, status, event.id)
        else:
            self.heard(device, event.ts)
            down = self.down.get(device)
            if down is not None and (status == "recording_started" or down.status != "recording_stopped"):
                del self.down[device]

    def apply_seq(self, source: str, seq: int) -> None:
        last = self.seq.get(source)
        if last is None or seq > last or seq <= 1:  # back to 0 or 1: the source restarted
            self.seq[source] = seq
