"""The simulated world: the site, its clock and writer, and what generators share.

    >>> w = World.build(scenario, sink)              # doctest: +SKIP
    >>> rng = w.rng("staff", day)                    # doctest: +SKIP

Every generator draws from its own named random stream (``rng(name, ...)``), so
adding an attack does not reshuffle the honest traffic, and the same seed gives
the same run. Sets are never iterated (their order depends on hashing).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from stockade.sim.clock import SimClock
from stockade.sim.emit import Emitter, Sink
from stockade.sim.inventory import Inventory
from stockade.sim.keys import DeviceKeys
from stockade.sim.labels import Label
from stockade.sim.layout import Layout
from stockade.sim.scenario import Scenario
from stockade.site import SiteConfig
from stockade.site.config import Person


class SimRandom(random.Random):
    """``randrange`` from one ``random()`` draw: several times faster, and the simulator needs no exactness."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        if stop <= start:
            raise ValueError(f"empty range for randrange({start}, {stop})")
        return start + int(self.random() * (stop - start))


@dataclass
class Visit:
    zone: str
    start: int
    end: int


@dataclass
class World:
    scenario: Scenario
    site: SiteConfig
    layout: Layout
    clock: SimClock
    em: Emitter
    inventory: Inventory
    seed: int
    outages: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # device -> [start, end)
    visits: dict[str, list[Visit]] = field(default_factory=dict)             # person -> zones visited
    busy: dict[str, list[tuple[int, int]]] = field(default_factory=dict)     # person -> on-site spans
    stats: Counter[str] = field(default_factory=Counter)
    labels: list[Label] = field(default_factory=list)
    not_before: dict[str, int] = field(default_factory=dict)                 # new hires: first day start
    reserved_people: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    counts: list[tuple[int, str, str, frozenset[str]]] = field(default_factory=list)  # t, zone, id, found
    patrols: dict[int, str] = field(default_factory=dict)  # look-alike index -> the guard patrolling
    _n: int = 0

    @classmethod
    def build(cls, scenario: Scenario, site: SiteConfig, sink: Sink) -> World:
        m = scenario.model
        clock = SimClock(m.start, site.tz, int(scenario.duration_s * 1000))
        keys = DeviceKeys(m.seed)
        sources = m.signing.sources
        signed = frozenset() if sources == "*" else frozenset(sources) | frozenset(site.policy.require_signatures)
        em = Emitter(site.site, clock, f"sim{m.seed}-", sink, keys, signed if (signed or sources == "*") else None)
        return cls(scenario, site, Layout.of(site), clock, em, Inventory(site), m.seed)

    def rng(self, *name: object) -> random.Random:
        return SimRandom(":".join([str(self.seed), *map(str, name)]))

    def uid(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    @property
    def keys(self) -> DeviceKeys | None:
        return self.em.keys

    def down(self, device: str, t: int) -> bool:
        spans = self.outages.get(device)
        return spans is not None and any(s <= t < e for s, e in spans)

    def outage(self, device: str, start: int, end: int) -> None:
        self.outages.setdefault(device, []).append((start, end))

    def reserve(self, person: str, start: int, end: int) -> None:
        """Keep a person's honest itinerary clear of an attack they take part in."""
        self.reserved_people.setdefault(person, []).append((start, end))

    def is_reserved(self, person: str, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.reserved_people.get(person, ()))

    def on_site(self, person: str, t: int) -> bool:
        return any(s <= t < e for s, e in self.busy.get(person, ()))

    def was_in(self, person: str, zone: str, start: int, end: int) -> bool:
        return any(v.zone == zone and v.start < end and start < v.end for v in self.visits.get(person, ()))

    def people_of(self, *, role: str | None = None, kind: str | None = None) -> list[Person]:
        return [p for p in self.site.people
                if (role is None or p.role == role) and (kind is None or p.kind == kind)]
