"""STK-DEV-001: a camera, reader or alarm goes offline, is tampered with, or stops recording.

A tamper alerts at once (high), and so does heartbeat silence (three missed
periods). Offline, fault and "recording stopped" are confirmed after
``confirm_s`` of event time, so a camera that reboots and comes back is left
alone; a device that announces its reboot (``detail`` says so) does not count
towards a group until confirmed. When ``several`` devices are down within ``group_window_s`` of each other it is the
blinding that precedes a theft (JD.com, December 2025): critical, at once.

An outage announced by the site file's maintenance window or by a
``change_config`` / ``disable_device`` naming the device inside a change window
(``planned_work``) is no blinding and raises nothing by itself.

    3 devices went down within 2 min: C-DOCKOUT-1 (offline 02:01), C-DOCKOUT-2 (recording stopped 02:01),
      P-HV (offline 02:02)
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, clock, span
from stockade.detectors.planned_work import Announced, note, planned
from stockade.engine.state import SiteState
from stockade.engine.state.devices import SILENT
from stockade.events import Admin, Alert, Device, Envelope, Sensor
from stockade.events.model import Severity
from stockade.site.devices import HEARTBEATING_KINDS

EXPLICIT = frozenset({"offline", "tamper", "fault"})
DOWN = frozenset({"offline", "tamper", "fault", "recording_stopped"})
WORDS = {
    "offline": "offline",
    "tamper": "tampered with",
    "fault": "faulty",
    "recording_stopped": "stopped recording",
    SILENT: "silent (missed heartbeats)",
}

Down = tuple[str, datetime, str, str]  # device, since, status, event id ("" for silence)


class DeviceDownParams(Params, frozen=True):
    confirm_s: float = 300  # a camera reboot takes up to a few minutes
    several: int = 2
    group_window_s: float = 300
    severity: Severity = "medium"
    closed: Severity = "high"  # the site closed, or a device watching a high-value zone
    tamper: Severity = "high"
    group: Severity = "critical"
    announce_s: float = 7200  # how long a change in a change window explains its device going down


class DeviceDownMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    pending: list[Down]
    recent: dict[str, Down]
    grouped: set[str]
    announced: dict[str, tuple[int, str]] = msgspec.field(default_factory=dict)


class DeviceDown(DetectorBase[DeviceDownParams]):
    id = "STK-DEV-001"
    kinds = frozenset({"*"})
    params_type = DeviceDownParams
    memory_type = DeviceDownMemory

    def setup(self) -> None:
        self._pending: list[Down] = []
        self._recent: dict[str, Down] = {}  # devices down recently, for grouping
        self._grouped: set[str] = set()
        self._announced: Announced = {}  # devices a change in a change window may take down

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        out: list[Alert] = []
        devices = state.devices
        if self._pending:
            self._confirm(state, event, out)
        for device, last in devices.newly_silent:
            self._down(state, (device, last + devices.silence, SILENT, ""), event, out)
        if isinstance(event, Device):
            status = event.status
            kind = devices.kind_of(event.device)
            if status in DOWN and (kind in HEARTBEATING_KINDS or (kind is not None and status in EXPLICIT)):
                down = (event.device, event.ts, status, event.id)
                if status == "offline" and "reboot" in (event.detail or "").lower():
                    self._pending.append(down)  # an announced reboot: judged only if it does not come back
                else:
                    self._down(state, down, event, out)
            elif status in ("online", "recording_started"):
                self._grouped.discard(event.device)
                self._recent.pop(event.device, None)
        elif isinstance(event, Admin):
            note(self._announced, state, event, int(self.params.announce_s * 1000))
        elif isinstance(event, Sensor) and event.type == "tamper":
            self._down(state, (event.sensor, event.ts, "tamper", event.id), event, out)
        return out

    def _down(self, state: SiteState, down: Down, event: Envelope, out: list[Alert]) -> None:
        p = self.params
        device, since, status, _ = down
        if status != "tamper" and planned(self._announced, state, device, since, int(p.announce_s * 1000)):
            return
        cutoff = since - timedelta(seconds=p.group_window_s)
        recent = self._recent
        for name in [n for n, d in recent.items() if d[1] < cutoff or _recovered(state, d)]:
            del recent[name]
        recent[device] = down
        fresh = [d for d in recent.values() if d[0] not in self._grouped]
        if len(recent) >= p.several and fresh:
            group = sorted(recent.values(), key=lambda d: (d[1], d[0]))
            self._grouped.update(d[0] for d in group)
            self._pending = [d for d in self._pending if d[0] not in self._grouped]
            listed = ", ".join(f"{d[0]} ({WORDS[d[2]]} {clock(state, d[1])})" for d in group)
            summary = (
                f"{len(group)} devices went down within {span(group[-1][1] - group[0][1])}: {listed}."
                " Someone may be blinding the site before a theft: send guards, check the docks."
            )
            out.append(
                self.alert(
                    state,
                    event.ts,
                    p.group,
                    summary,
                    [d[3] for d in group] + [event.id],
                    salt=",".join(d[0] for d in group),
                    devices=[d[0] for d in group],
                    zones=_zones(state, [d[0] for d in group]),
                )
            )
            return
        if status == "tamper":
            out.append(self._single(state, down, event, p.tamper))
            return
        if status == SILENT:  # three missed heartbeats are confirmation enough
            zones = _zones(state, [device])
            sensitive = not state.clock.is_open(since) or any(z in state.high_value_zones for z in zones)
            out.append(self._single(state, down, event, p.closed if sensitive else p.severity))
            return
        self._pending.append(down)

    def _confirm(self, state: SiteState, event: Envelope, out: list[Alert]) -> None:
        now = state.clock.current()
        wait = timedelta(seconds=self.params.confirm_s)
        keep: list[Down] = []
        for d in self._pending:
            if _recovered(state, d):
                continue
            if now - d[1] < wait:
                keep.append(d)
                continue
            zones = _zones(state, [d[0]])
            sensitive = not state.clock.is_open(d[1]) or any(z in state.high_value_zones for z in zones)
            out.append(
                self._single(state, d, event, self.params.closed if sensitive else self.params.severity)
            )
        self._pending = keep

    def _single(self, state: SiteState, d: Down, event: Envelope, severity: Severity) -> Alert:
        device, since, status, ev = d
        kind = state.devices.kind_of(device) or "device"
        zones = _zones(state, [device])
        now = state.clock.now or since
        still = f", still down {span(now - since)} later" if now - since >= timedelta(seconds=1) else ""
        summary = (
            f"{kind.capitalize()} {device}{' (' + ', '.join(zones) + ')' if zones else ''} went"
            f" {WORDS[status]} at {clock(state, since)}{still}. Check it and what it watches."
        )
        evidence = [ev] if ev else [event.id]  # silence has no event of its own: the one that revealed it
        return self.alert(
            state,
            now,
            severity,
            summary,
            evidence,
            salt=f"{device}:{since.isoformat()}",
            devices=[device],
            zones=zones,
        )


def _recovered(state: SiteState, d: Down) -> bool:
    cur = state.devices.down.get(d[0])
    if d[2] == SILENT:
        return cur is None or cur.status != SILENT
    return cur is None or cur.ts > d[1]


def _zones(state: SiteState, devices: list[str]) -> list[str]:
    return state.devices.map.zones_of(devices)
