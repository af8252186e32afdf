"""STK-GAT-001: the truck, carrier or driver at the gate does not match the appointment (fictitious pickup).

A truck arriving at a gate (``direction: in``) is matched to its appointment:
the one it names, else the one booked for its plate, else an open one at that
gate for its carrier. Then:

* it names an appointment that does not exist: high;
* plate, carrier or driver differ from the appointment's: high (the classic
  fictitious pickup uses a real booking with another truck or driver);
* it arrives far outside the window (``early_s`` / ``late_s``): low;
* no appointment can be found: medium when ``require_appointment``.

    Truck FG-552-KL (carrier FASTFREIGHT, driver drv-85) at G-1 at 06:12 claims appointment ap-1, booked
      for AB-123-CD with driver drv-81
"""

from __future__ import annotations

from datetime import timedelta

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.engine.state import SiteState
from stockade.engine.state.gates import Appt
from stockade.events import Alert, Envelope, Gate
from stockade.events.model import Severity


class AppointmentMismatchParams(Params, frozen=True):
    mismatch: Severity = "high"
    unknown_appointment: Severity = "high"
    no_appointment: Severity = "medium"
    off_window: Severity = "low"
    require_appointment: bool = True
    early_s: float = 4 * 3600
    late_s: float = 8 * 3600


def _norm(value: str | None) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum()) if value else ""


class AppointmentMismatch(DetectorBase[AppointmentMismatchParams]):
    id = "STK-GAT-001"
    kinds = frozenset({"gate"})
    params_type = AppointmentMismatchParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Gate):
            return []
        if event.direction != "in":
            return []
        p = self.params
        gates = state.gates
        appt: Appt | None = None
        if event.appointment is not None:
            appt = gates.appointments.get(event.appointment)
            if appt is None:
                return [
                    self._alert(
                        state,
                        event,
                        None,
                        p.unknown_appointment,
                        f"claims appointment {event.appointment}, which was never booked",
                    )
                ]
        if appt is None and event.plate:
            appt = gates.for_plate(event.plate, event.ts)
        if appt is None and event.carrier:
            appt = self._open_for_carrier(state, event)
        if appt is None:
            if not p.require_appointment:
                return []
            return [self._alert(state, event, None, p.no_appointment, "has no appointment")]
        wrong = []
        for label, seen, booked in (
            ("plate", event.plate, appt.plate),
            ("carrier", event.carrier, appt.carrier),
            ("driver", event.driver, appt.driver),
            ("trailer", event.trailer, appt.trailer),
        ):
            if seen and booked and _norm(seen) != _norm(booked):
                wrong.append(f"{label} {seen} instead of {booked}")
        if wrong:
            return [
                self._alert(
                    state,
                    event,
                    appt,
                    p.mismatch,
                    f"claims appointment {appt.id} but shows {', '.join(wrong)}",
                )
            ]
        if (
            appt.start
            and appt.end
            and not (
                appt.start - timedelta(seconds=p.early_s)
                <= event.ts
                <= appt.end + timedelta(seconds=p.late_s)
            )
        ):
            return [
                self._alert(
                    state,
                    event,
                    appt,
                    p.off_window,
                    f"matches appointment {appt.id} but arrives far outside its window"
                    f" ({clock(state, appt.start)}-{clock(state, appt.end)})",
                )
            ]
        return []

    def _open_for_carrier(self, state: SiteState, event: Gate) -> Appt | None:
        carrier = _norm(event.carrier)
        best: Appt | None = None
        for a in state.gates.appointments.values():
            if _norm(a.carrier) != carrier or (a.gate and a.gate != event.gate):
                continue
            if not (
                a.start and a.end and a.start - timedelta(hours=4) <= event.ts <= a.end + timedelta(hours=8)
            ):
                continue
            if best is None or (best.start and abs(a.start - event.ts) < abs(best.start - event.ts)):
                best = a
        return best

    def _alert(self, state: SiteState, event: Gate, appt: Appt | None, severity: Severity, why: str) -> Alert:
        truck = event.plate or event.trailer or "unknown plate"
        summary = (
            f"Truck {truck} (carrier {event.carrier or '?'}, driver {event.driver or '?'}) at {event.gate}"
            f" at {clock(state, event.ts)} {why}. Hold it at the gate and verify with the carrier."
        )
        evidence = [event.id] + ([appt.event] if appt and appt.event else [])
        return self.alert(
            state,
            event.ts,
            severity,
            summary,
            evidence,
            people=[event.driver],
            trucks=[event.plate],
            shipments=[appt.shipment if appt else None],
            devices=[event.gate],
        )
