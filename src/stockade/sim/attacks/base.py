"""What every attack does: plan (before the run), emit (on its day), label (after the run).

    >>> atk = ATTACKS["tailgating"](spec, 0, world)     # doctest: +SKIP
    >>> atk.plan(world); atk.emit(world); label = atk.label(world)   # doctest: +SKIP

Planning happens before any honest traffic is generated, so an attack can
reserve its actors (their honest shift is then left out) and claim the goods it
will take (honest orders never pick them, and counts after the theft do not
find them). Anything the scenario does not pin is drawn from the attack's own
random stream, so each instance differs in actors, places, times and pace.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import ClassVar

from stockade.events import Envelope
from stockade.sim.clock import DAY, HOUR, MINUTE
from stockade.sim.errors import ScenarioError
from stockade.sim.labels import Label, LabelEntities
from stockade.sim.scenario import AttackSpec
from stockade.sim.world import World
from stockade.site import calendar
from stockade.site.config import Person, parse_clock

TEMPO = {"fast": 0.4, "normal": 1.0, "slow": 2.5}


class Attack:
    type: ClassVar[str]

    def __init__(self, spec: AttackSpec, index: int, w: World) -> None:
        self.spec = spec
        self.index = index
        self.id = f"atk-{index + 1}-{spec.type}"
        self.rng: random.Random = w.rng("attack", index, spec.type)
        self.start = 0
        self.end = 0
        self.first: tuple[int, str] | None = None
        self.ents = LabelEntities()
        self.summary = ""
        self.pace = TEMPO[spec.tempo or self.rng.choice(["fast", "normal", "normal", "slow"])]

    # --- the three steps --------------------------------------------------------

    def plan(self, w: World) -> None:
        raise NotImplementedError

    def emit_from(self) -> int:
        """The earliest its events may fall (actors walk in before the act): the day it is emitted on."""
        shift = getattr(self, "shift", None)
        first = min(self.start, shift[0]) if shift else self.start
        return first - 2 * HOUR

    def emit(self, w: World) -> None:
        raise NotImplementedError

    def finish(self, w: World) -> None:
        """Fill in what is only known after the run (events of later days, seq gaps)."""

    def label(self, w: World) -> Label:
        self.finish(w)
        if self.first is None:
            raise ScenarioError(w.scenario.path, f"attacks[{self.index}]",
                                f"{self.type} left no observable event inside the run; start it earlier")
        e = self.ents
        for name in e.__struct_fields__:
            setattr(e, name, sorted(dict.fromkeys(v for v in getattr(e, name) if v)))
        end = max(self.end, self.first[0])
        return Label(id=self.id, type=self.type, start=w.clock.dt(min(self.start, self.first[0])),
                     end=w.clock.dt(end), entities=e, first_event=self.first[1],
                     first_ts=w.clock.dt(self.first[0]), summary=self.summary)

    # --- helpers ------------------------------------------------------------------

    def fail(self, w: World, field: str, problem: str) -> ScenarioError:
        return ScenarioError(w.scenario.path, f"attacks[{self.index}].{field}", problem)

    def mark(self, t: int, event_id: str) -> None:
        if self.first is None or t < self.first[0]:
            self.first = (t, event_id)

    def ms(self, lo_s: float, hi_s: float) -> int:
        """A random pause in [lo, hi] seconds, stretched by the attack's tempo."""
        return int(self.rng.uniform(lo_s, hi_s) * 1000 * self.pace)

    @contextmanager
    def recording(self, w: World) -> Iterator[list[tuple[int, Envelope]]]:
        seen: list[tuple[int, Envelope]] = []
        w.em.capture = seen
        try:
            yield seen
        finally:
            w.em.capture = None

    def when(self, w: World, *, hours: tuple[float, float], margin_h: float = 3.0,
             first_day: int = 1, ok: object = None) -> int:
        """The attack's start: pinned by the scenario, else a random time at local ``hours``."""
        s = self.spec
        if s.at is not None:
            return w.clock.of(s.at)
        days = w.clock.days()
        if s.day is not None and s.time is not None:
            return w.clock.at_local(days[0] + timedelta(days=s.day), parse_clock(s.time))
        limit = w.clock.duration_ms - int(margin_h * HOUR)
        for _ in range(200):
            d = days[min(self.rng.randrange(first_day, max(len(days), first_day + 1)), len(days) - 1)]
            t = w.clock.at_local(d, self.rng.uniform(*hours) * 60)
            if 0 <= t < limit and (ok is None or ok(t)):  # type: ignore[operator]
                return t
        t = max(0, min(limit, DAY + 2 * HOUR))
        return t

    def people(self, w: World, pred: object) -> list[Person]:
        return [p for p in w.site.people if pred(p)]  # type: ignore[operator]

    def person(self, w: World, pred: object, what: str) -> Person:
        if self.spec.actor is not None:
            return w.site.people_by_id[self.spec.actor]
        found = self.people(w, pred)
        if not found:
            raise self.fail(w, "actor", f"the site has no {what} for {self.type}")
        return self.rng.choice(found)


def off_shift(w: World, p: Person, t: int, span_ms: int = 2 * HOUR) -> bool:
    return not any(calendar.on_shift(w.site, p, w.clock.dt(x)) for x in (t, t + span_ms // 2, t + span_ms))


def is_open(w: World, t: int) -> bool:
    return w.site.hours is None or calendar.is_open(w.site, w.clock.dt(t))


def is_closed(w: World, t: int) -> bool:
    return w.site.hours is not None and not calendar.is_open(w.site, w.clock.dt(t))


__all__ = ["DAY", "HOUR", "MINUTE", "Attack", "is_closed", "is_open", "off_shift"]
