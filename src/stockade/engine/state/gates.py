"""Expected trucks: appointments from the site file and from ``create_appointment`` admin events.

An admin event with ``action: create_appointment`` and ``target: <id>`` carries
the appointment in ``attrs`` (``direction``, ``gate``, ``carrier``, ``plate``,
``driver``, ``window: [start, end]``, ``shipment``, ``trailer``, optionally
``seal``). Trucks seen entering at a gate are kept until they leave.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import msgspec

from stockade.events import Admin, Gate
from stockade.site import SiteConfig


class Appt(NamedTuple):
    id: str
    direction: str
    gate: str | None
    carrier: str | None
    plate: str | None
    driver: str | None
    start: datetime | None
    end: datetime | None
    shipment: str | None
    trailer: str | None
    seal: str | None
    event: str | None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if isinstance(value, str):
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            return None
        return t if t.tzinfo is not None else None
    return None


class GatesSnapshot(msgspec.Struct, frozen=True):
    appointments: dict[str, Appt]
    by_plate: dict[str, list[str]]
    on_site: dict[str, Gate]


class GatesState:
    def __init__(self, site: SiteConfig) -> None:
        self.appointments: dict[str, Appt] = {
            a.id: Appt(
                a.id,
                a.direction,
                a.gate,
                a.carrier,
                a.plate,
                a.driver,
                a.window[0],
                a.window[1],
                a.shipment,
                a.trailer,
                None,
                None,
            )
            for a in site.appointments
        }
        self.by_plate: dict[str, list[str]] = {}
        for a in self.appointments.values():
            if a.plate:
                self.by_plate.setdefault(a.plate, []).append(a.id)
        self.on_site: dict[str, Gate] = {}

    def save(self) -> GatesSnapshot:
        return GatesSnapshot(self.appointments, self.by_plate, self.on_site)

    def load(self, saved: GatesSnapshot) -> None:
        self.appointments, self.by_plate, self.on_site = saved.appointments, saved.by_plate, saved.on_site

    def apply_admin(self, event: Admin) -> None:
        if event.action != "create_appointment" or event.target is None:
            return
        a = event.attrs or {}
        window = a.get("window")
        start = end = None
        if isinstance(window, list | tuple) and len(window) == 2:
            start, end = _time(window[0]), _time(window[1])
        appt = Appt(
            event.target,
            _text(a.get("direction")) or "outbound",
            _text(a.get("gate")),
            _text(a.get("carrier")),
            _text(a.get("plate")),
            _text(a.get("driver")),
            start or event.start,
            end or event.end,
            _text(a.get("shipment")),
            _text(a.get("trailer")),
            _text(a.get("seal")),
            event.id,
        )
        self.appointments[appt.id] = appt
        if appt.plate:
            ids = self.by_plate.setdefault(appt.plate, [])
            if appt.id not in ids:
                ids.append(appt.id)
                del ids[:-16]  # a regular truck's old bookings no longer matter

    def for_plate(self, plate: str, ts: datetime) -> Appt | None:
        """The booking for this plate whose window is nearest to ``ts``."""
        best: tuple[float, Appt] | None = None
        for appt_id in self.by_plate.get(plate, ()):
            a = self.appointments[appt_id]
            if a.start is None or a.end is None or a.start <= ts <= a.end:
                distance = 0.0
            else:
                distance = min(abs((ts - a.start).total_seconds()), abs((ts - a.end).total_seconds()))
            if best is None or distance < best[0]:
                best = (distance, a)
        return best[1] if best else None

    def apply_gate(self, event: Gate) -> None:
        key = event.plate or event.trailer or event.driver
        if key is None:
            return
        if event.direction == "in":
            self.on_site[key] = event
        else:
            self.on_site.pop(key, None)
