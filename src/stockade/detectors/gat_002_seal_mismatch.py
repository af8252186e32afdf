"""STK-GAT-002: the seal number at the gate differs from the seal recorded at loading.

A ``ship`` records the seal applied at loading (with its shipment and
trailer). A truck at the gate reporting a seal is checked against the record
found through its appointment's shipment, its trailer, or its appointment's
own ``seal``. A different seal means the load was opened (seal swap): high.

    Trailer TR-4410 (truck AB-123-CD) left G-1 at 07:42 with seal 884213; shipment sh-1 was sealed 884201
      at 07:05
"""

from __future__ import annotations

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.engine.state import SiteState
from stockade.engine.state.stock import ShipRecord
from stockade.events import Alert, Envelope, Gate
from stockade.events.model import Severity


class SealMismatchParams(Params, frozen=True):
    severity: Severity = "high"


def _norm(value: str | None) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum()) if value else ""


class SealMismatch(DetectorBase[SealMismatchParams]):
    id = "STK-GAT-002"
    kinds = frozenset({"gate"})
    params_type = SealMismatchParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Gate):
            return []
        if not event.seal:
            return []
        stock, gates = state.stock, state.gates
        appt = gates.appointments.get(event.appointment) if event.appointment else None
        if appt is None and event.plate:
            appt = gates.for_plate(event.plate, event.ts)
        record: ShipRecord | None = None
        if appt is not None and appt.shipment:
            record = stock.shipments.get(appt.shipment)
        if record is None and event.trailer:
            record = stock.trailers.get(event.trailer)
        if record is not None and record.seal:
            expected, where = (
                record.seal,
                f"shipment {record.shipment or '?'} was sealed {record.seal} at {clock(state, record.ts)}",
            )
            evidence = [record.event, event.id]
            shipment = record.shipment
        elif appt is not None and appt.seal:
            expected, where = appt.seal, f"appointment {appt.id} declares seal {appt.seal}"
            evidence = [appt.event or "", event.id]
            shipment = appt.shipment
        else:
            return []
        if _norm(expected) == _norm(event.seal):
            return []
        moved = "left" if event.direction == "out" else "arrived at"
        summary = (
            f"Trailer {event.trailer or '?'} (truck {event.plate or '?'}) {moved} {event.gate} at"
            f" {clock(state, event.ts)} with seal {event.seal}; {where}. The load was opened:"
            " hold the truck and inspect it."
        )
        return [
            self.alert(
                state,
                event.ts,
                self.params.severity,
                summary,
                evidence,
                trucks=[event.plate],
                shipments=[shipment],
                people=[event.driver],
                devices=[event.gate],
            )
        ]
