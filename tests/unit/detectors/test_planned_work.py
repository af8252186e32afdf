from datetime import datetime

import pytest

from stockade.detectors.dor_002_held_door import HeldDoor
from stockade.engine.engine import SiteEngine
from stockade.events import Door
from stockade.site import SiteConfigError, parse_site


def with_planned(site, planned):
    data = site.model_dump(mode="json", exclude_none=True)
    data["planned"] = planned
    return parse_site(data)


DRILL = {"id": "drill-1", "kind": "drill", "window": ["2026-11-24T14:00:00+01:00", "2026-11-24T14:30:00+01:00"]}


def held(site, t, door="D-LOBBY"):
    eng = SiteEngine(site, [HeldDoor()])
    out = []
    for n, (state, when, dur) in enumerate([("open", t, None), ("held", t.replace(minute=t.minute + 5), 300)]):
        ev = Door(id=f"ev-{n}", ts=when, site=site.site, source=door, door=door, state=state, duration_s=dur)
        out += list(eng.step(ev, n + 1))
    return out


def test_doors_held_open_during_an_announced_drill_are_info(site):
    drilled = with_planned(site, [DRILL])
    (a,) = held(drilled, datetime.fromisoformat("2026-11-24T14:05:00+01:00"))
    assert a.severity == "info"
    assert a.summary.startswith("During drill drill-1:")
    (b,) = held(drilled, datetime.fromisoformat("2026-11-24T15:05:00+01:00"))  # after the drill
    assert b.severity != "info"
    (c,) = held(drilled, datetime.fromisoformat("2026-11-24T14:05:00+01:00"), door="D-HV")
    assert c.severity != "info"  # a high-value cage is never the drill


def test_planned_entries_are_checked(site):
    with pytest.raises(SiteConfigError, match=r"planned\[0\]\.devices\[0\]: device 'NOPE'"):
        with_planned(site, [{**DRILL, "kind": "maintenance", "devices": ["NOPE"]}])
    with pytest.raises(SiteConfigError, match="window ends before it starts"):
        with_planned(site, [{**DRILL, "window": [DRILL["window"][1], DRILL["window"][0]]}])
    with pytest.raises(SiteConfigError, match="appears more than once"):
        with_planned(site, [DRILL, DRILL])
    assert site.planned == []  # site files without planned work stay valid
