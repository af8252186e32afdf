"""Attacks at the gate: fictitious pickups and seal swaps.

    >>> ATTACKS["seal_swap"]     # doctest: +SKIP

- ``fictitious_pickup``: a truck claims a real outbound appointment, but the
  plate (variant ``plate``), the driver (``driver``), the carrier
  (``carrier``), all three (``all``), or the appointment itself (``unknown``)
  do not match what the TMS announced; the goods are loaded anyway.
- ``seal_swap``: goods are loaded and sealed, but the trailer leaves through the
  gate with a different seal number (variant ``trailer``: a different trailer too).
"""

from __future__ import annotations

from stockade.sim.attacks.base import HOUR, Attack, is_open
from stockade.sim.trucks import CARRIERS, Truck, plate
from stockade.sim.world import World


def _truck(self: Attack, w: World) -> Truck:
    if not w.site.gates or w.layout.dock_out is None:
        raise self.fail(w, "type", f"{self.type} needs a gate and an outbound dock")
    start = self.when(w, hours=(8, 17), ok=lambda t: is_open(w, t - 3 * HOUR) and is_open(w, t + 4 * HOUR))
    n = w.uid("")
    rng = self.rng
    drivers = [p.id for p in w.site.people if p.kind == "driver"]
    return Truck(id=f"ap-x{n}", direction="outbound", gate=rng.choice(w.site.gates).id,
                 carrier=rng.choice(CARRIERS), plate=plate(rng),
                 driver=rng.choice(drivers) if drivers else f"drv-x{rng.randrange(100, 1000)}",
                 window=(start, start + 2 * HOUR), shipment=f"sh-x{n}", trailer=f"TR-{rng.randrange(10000, 100000)}")


class FictitiousPickup(Attack):
    type = "fictitious_pickup"

    def plan(self, w: World) -> None:
        tr = _truck(self, w)
        rng = self.rng
        self.variant = self.spec.variant or rng.choice(["plate", "driver", "carrier", "all", "unknown"])
        fake_plate, fake_driver = plate(rng), f"drv-f{rng.randrange(100, 1000)}"
        fake_carrier = rng.choice([c for c in CARRIERS if c != tr.carrier])
        shown = {"plate": {"plate": fake_plate}, "driver": {"driver": fake_driver},
                 "carrier": {"carrier": fake_carrier},
                 "all": {"plate": fake_plate, "driver": fake_driver, "carrier": fake_carrier},
                 "unknown": {"appointment": f"ap-{rng.randrange(10000, 99999)}", "plate": fake_plate}}
        if self.variant not in shown:
            raise self.fail(w, "variant", f"unknown variant {self.variant!r}: plate, driver, carrier, all, unknown")
        tr.shown = shown[self.variant]
        self.truck = tr
        self.trucks = [tr]
        self.start = tr.window[0]

    def emit(self, w: World) -> None:
        """The truck runs with the day's trucks; see ``finish``."""

    def finish(self, w: World) -> None:
        tr = self.truck
        if "gate_in" in tr.marks:
            t, ev = tr.marks["gate_in"]
            self.mark(t, ev)
            self.start = t
        self.end = tr.marks.get("gate_out", tr.marks.get("gate_in", (self.start, "")))[0]
        self.ents.trucks = [tr.shown.get("plate", tr.plate)]
        self.ents.people = [tr.shown.get("driver", tr.driver)]
        self.ents.shipments = [tr.shipment]
        self.ents.epcs = list(tr.epcs)
        self.ents.devices = [tr.gate]
        self.summary = f"truck at {tr.gate} for {tr.id} did not match the appointment ({self.variant})"


class SealSwap(Attack):
    type = "seal_swap"

    def plan(self, w: World) -> None:
        tr = _truck(self, w)
        self.variant = self.spec.variant or self.rng.choice(["seal", "seal", "trailer"])
        tr.exit_seal = f"SL{self.rng.randrange(1_000_000, 10_000_000)}"
        if self.variant == "trailer":
            tr.shown = {"trailer": f"TR-{self.rng.randrange(10000, 100000)}"}
        self.truck = tr
        self.trucks = [tr]
        self.start = tr.window[0]

    def emit(self, w: World) -> None:
        """The truck runs with the day's trucks; see ``finish``."""

    def finish(self, w: World) -> None:
        tr = self.truck
        if "gate_out" in tr.marks:
            t, ev = tr.marks["gate_out"]
            self.mark(t, ev)
            self.end = t
            self.start = tr.marks.get("ship", (t, ""))[0]
        self.ents.trucks = [tr.plate]
        self.ents.shipments = [tr.shipment]
        self.ents.devices = [tr.gate]
        self.ents.epcs = list(tr.epcs)
        self.summary = f"{tr.shipment} left {tr.gate} with seal {tr.exit_seal}, not the seal recorded at loading"
