"""STK-INV-006: a WMS record no physical event supports — goods received or shipped on paper only.

A ``receive`` (not an opening balance) or a ``ship`` of tagged goods is
normally preceded by the goods' reads at the dock portal, a truck through the
gate and an appointment. When fewer than ``min_read`` of its EPCs were read
anywhere in the ``read_s`` before, nothing physical backs the record; with
no truck on site and no appointment for its shipment either, the record is
fiction: phantom stock received to be written off later, or goods already
gone "shipped" to close the books. Medium when a truck or an appointment is
there (the readers may have failed), high when nothing is. Records of sites
with no RFID reader are left alone. The reverse — goods or trucks moving with
no record — is STK-INV-001 (goods out of an exit) and STK-GAT-001 (truck with
no appointment).

    wms-1 recorded a ship of 24 items (shipment sh-7781) from dock-out at 03:12 (user emp-1033), but none
      of them was read in the 2 h before, no truck is at the gate and no appointment names sh-7781
"""

from __future__ import annotations

from stockade.detectors.base import DetectorBase, Params, clock
from stockade.engine.state import SiteState
from stockade.engine.state.stock import zone_of
from stockade.events import Alert, Envelope, Stock
from stockade.events.model import Severity

OPS = frozenset({"receive", "ship"})


class UnsupportedRecordParams(Params, frozen=True):
    read_s: float = 7200
    min_read: float = 0.25  # fraction of the record's EPCs read in read_s; missed reads are ~1 %
    min_items: int = 3  # smaller records are left to the counts
    severity: Severity = "medium"
    unsupported: Severity = "high"  # no read, no truck, no appointment


class UnsupportedRecord(DetectorBase[UnsupportedRecordParams]):
    id = "STK-INV-006"
    kinds = frozenset({"stock"})
    params_type = UnsupportedRecordParams

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Stock) or event.op not in OPS or event.reason == "opening_balance":
            return []
        epcs = event.epcs or ()
        p = self.params
        if len(epcs) < p.min_items or not state.portal_readers and not state.stock.reader_zone:
            return []
        cutoff = state.ms - int(p.read_s * 1000)
        read = 0
        for epc in epcs:
            last = state.stock.last_read(epc)
            if last is not None and last[0] >= cutoff:
                read += 1
        if read >= p.min_read * len(epcs):
            return []
        truck = bool(state.gates.on_site)
        appt = event.shipment is not None and any(
            a.shipment == event.shipment for a in state.gates.appointments.values())
        severity = p.severity if truck or appt else p.unsupported
        where = event.to if event.op == "receive" else event.from_
        zone = zone_of(where) if where else None
        behind = [
            f"{'only ' + str(read) if read else 'none'} of them {'was' if read <= 1 else 'were'} read in the"
            f" {p.read_s / 3600:.0f} h before",
            "a truck is at the gate" if truck else "no truck is at the gate",
            (f"appointment for {event.shipment} exists" if appt else
             f"no appointment names {event.shipment}" if event.shipment else "it names no shipment"),
        ]
        by = f" (user {event.user})" if event.user else ""
        summary = (
            f"{event.source} recorded a {event.op} of {len(epcs)} items"
            f"{' (shipment ' + event.shipment + ')' if event.shipment else ''}"
            f" {'at' if event.op == 'receive' else 'from'} {where or 'an unnamed location'} at"
            f" {clock(state, event.ts)}{by}, but {', '.join(behind)}: nothing physical backs the record."
            f" Check the {zone or 'dock'} camera and ask who entered it."
        )
        return [
            self.alert(state, event.ts, severity, summary, [event.id], zones=[zone], epcs=epcs[:20],
                       shipments=[event.shipment], people=[event.user])
        ]
