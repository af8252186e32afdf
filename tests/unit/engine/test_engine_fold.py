"""The fold: dispatch by kind, state updated once after the detectors, snapshots that resume exactly."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from stockade.detectors.registry import all_detectors
from stockade.engine.engine import SiteEngine
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Device, Door, Envelope, Sensor, Stock, Tag, Tick, Video
from stockade.site import SiteConfig, load_site

DEMO = Path(__file__).resolve().parents[3] / "examples" / "sites" / "dc-demo.yaml"


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(DEMO)


class Spy:
    id: ClassVar[str] = "SPY"
    kinds: ClassVar[frozenset[str]] = frozenset({"access"})

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        assert isinstance(event, Access)
        person = state.people.person_of(event.subject, event.credential)
        pos = state.people.where.get(person.id) if person else None
        self.seen.append((event.id, pos.zone if pos else None))
        return []


def _t(minute: int) -> datetime:
    return datetime(2026, 11, 24, 10, 0, tzinfo=load_site(DEMO).tz) + timedelta(minutes=minute)


def test_detectors_see_the_state_before_the_event(site):
    spy = Spy()
    engine = SiteEngine(site, [spy])
    for i, door in enumerate(["D-LOBBY", "D-TURNSTILE", "D-FLOOR"]):
        engine.step(Access(id=f"a{i}", ts=_t(i), site=site.site, source="x", door=door, result="granted",
                           factors=["badge"], credential="badge:1001", direction="in"), i)
    engine.step(Tick(id="t", ts=_t(9), site=site.site, source="bus"), 9)  # not its kind: not called
    assert spy.seen == [("a0", None), ("a1", "lobby"), ("a2", "lockers")]
    assert engine.state.people.where["emp-1001"].zone == "storage"


def _stream(site: SiteConfig, n: int, seed: int = 7) -> list[Envelope]:
    rng = random.Random(seed)
    base = datetime(2026, 11, 24, 1, 0, tzinfo=site.tz)
    people = [p for p in site.people if p.credentials]
    doors = [d.id for d in site.doors]
    cams = [c.id for c in site.cameras]
    readers = [r.id for r in site.readers]
    out: list[Envelope] = []
    for i in range(n):
        ts = base + timedelta(seconds=i * 7)
        k = rng.random()
        common = {"id": f"e{i}", "ts": ts, "site": site.site, "source": f"src-{i % 5}", "seq": i // 5}
        if k < 0.3:
            p = rng.choice(people)
            out.append(Access(**common, door=rng.choice(doors), credential=p.credentials[0], factors=["badge"],
                              result=rng.choice(["granted", "granted", "denied"]),
                              direction=rng.choice(["in", "out"])))
        elif k < 0.5:
            out.append(Tag(**common, reader=rng.choice(readers), epc=f"urn:epc:id:sgtin:0614141.107346.{i % 300}",
                           direction=rng.choice(["in", "out", None])))
        elif k < 0.6:
            out.append(Door(**common, door=rng.choice(doors), state=rng.choice(["open", "closed", "forced", "held"]),
                            duration_s=rng.choice([None, 30, 400])))
        elif k < 0.7:
            out.append(Video(**common, camera=rng.choice(cams), label="person",
                             event=rng.choice(["present", "loiter", "line_cross"]), count=rng.choice([1, 2]),
                             dwell_s=rng.choice([None, 10, 900])))
        elif k < 0.8:
            out.append(Device(**common, device=rng.choice(cams + readers),
                              status=rng.choice(["online", "online", "offline", "recording_stopped"])))
        elif k < 0.85:
            out.append(Sensor(**common, sensor="P-HV", zone="hv-cage", type=rng.choice(["arm", "disarm"]),
                              user=rng.choice([None, "emp-1020"])))
        elif k < 0.9:
            epcs = [f"urn:epc:id:sgtin:0614141.107346.{j}" for j in rng.sample(range(300), 5)]
            op = rng.choice(["receive", "pick", "count", "adjust", "move"])
            qty = -1 if op == "adjust" else None
            out.append(Stock(**common, op=op, epcs=epcs, to="storage", from_="storage", qty=qty,
                             order="o", reason="damaged", user="emp-1010"))
        else:
            out.append(Tick(**common))
    return out


def test_snapshot_and_resume_give_the_same_outputs(site):
    events = _stream(site, 3000)
    straight = SiteEngine(site, all_detectors())
    expected = [o for i, e in enumerate(events) for o in straight.step(e, i)]
    assert any(isinstance(o, Alert) for o in expected)
    first = SiteEngine(site, all_detectors())
    got = [o for i, e in enumerate(events[:1700]) for o in first.step(e, i)]
    resumed = SiteEngine(site, all_detectors())
    resumed.restore(first.snapshot())
    got += [o for i, e in enumerate(events[1700:], 1700) for o in resumed.step(e, i)]
    assert got == expected


def test_replay_is_deterministic(site):
    events = _stream(site, 1500, seed=3)
    a = [o for i, e in enumerate(events) for o in SiteEngine(site, all_detectors()).step(e, i)]
    runs = []
    for _ in range(2):
        eng = SiteEngine(site, all_detectors())
        runs.append([o for i, e in enumerate(events) for o in eng.step(e, i)])
    assert runs[0] == runs[1]
    assert len({o.id for o in runs[0]}) == len(runs[0])  # alert ids are unique
    del a
