"""While a ``hold_flows`` hold stands, goods leaving the held zone are an alert.

A ``ship`` or ``pick`` from a zone held outbound (or both ways), or a gate
departure (``gate`` event, direction ``out``) through a held zone, raises
``STK-RSP-001`` (high) naming the hold's incident. Holds end at their expiry
(event time) or when their incident closes.

    >>> holds = Holds({"G-1": "yard"})
    >>> holds.hold("dock-out", "outbound", until_us=2_000_000_000_000_000, incident="inc-1", site="dc-demo")
    >>> holds.held("dock-out", 1_700_000_000_000_000)
    ('inc-1', 'outbound')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stockade.events import Alert, Entities, Envelope, Gate, Stock

DETECTOR = "STK-RSP-001"


@dataclass(frozen=True, slots=True)
class _Hold:
    incident: str
    direction: str
    until_us: int


class Holds:
    def __init__(self, gate_zones: Mapping[str, str]) -> None:
        self.gate_zones = gate_zones
        self._holds: dict[str, _Hold] = {}

    def hold(self, zone: str, direction: str, *, until_us: int, incident: str, site: str) -> None:
        self._holds[zone] = _Hold(incident, direction, until_us)

    def release(self, incident: str) -> None:
        self._holds = {z: h for z, h in self._holds.items() if h.incident != incident}

    def held(self, zone: str, at_us: int) -> tuple[str, str] | None:
        h = self._holds.get(zone)
        if h is None or at_us >= h.until_us:
            return None
        return h.incident, h.direction

    def check(self, event: Envelope) -> Alert | None:
        """The alert ``event`` raises, if it moves goods out of a held zone."""
        if not self._holds:
            return None
        at_us = int(event.ts.timestamp() * 1_000_000)
        zone: str | None = None
        what = ""
        if isinstance(event, Stock) and event.op in ("ship", "pick") and event.from_:
            zone, what = event.from_.split("/", 1)[0], f"{event.op} from {event.from_}"
        elif isinstance(event, Gate) and event.direction == "out":
            zone, what = self.gate_zones.get(event.gate), f"departure at gate {event.gate}"
        held = self.held(zone, at_us) if zone else None
        if zone is None or held is None or held[1] == "inbound":
            return None
        incident = held[0]
        shipments = (event.shipment,) if isinstance(event, Stock) and event.shipment else ()
        trucks = (event.plate,) if isinstance(event, Gate) and event.plate else ()
        return Alert(id=f"al-hold-{event.id}", ts=event.ts, site=event.site, source="stockade:response",
                     detector=DETECTOR, severity="high",
                     entities=Entities(zones=(zone,), shipments=shipments, trucks=trucks), evidence=(event.id,),
                     summary=f"Goods moving while {zone} is held for incident {incident}: {what}. "
                             "Stop it and check with the security desk.", attrs={"incident": incident})
