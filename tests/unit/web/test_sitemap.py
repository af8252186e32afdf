from typing import Any

import yaml

from stockade.web.sitemap import site_map
from tests.conftest import DEMO_SITE


def _layout() -> dict[str, Any]:
    site = yaml.safe_load(DEMO_SITE.read_text(encoding="utf-8"))
    return {"zones": site["zones"], "doors": site["doors"]}


def test_zones_are_laid_out_from_the_outside_inwards() -> None:
    m = site_map(_layout(), None, {})
    column = {b.zone: b.column for b in m.boxes}
    {b.zone: b.kind for b in m.boxes}
    assert {z for z, c in column.items() if c == 0} == {"perimeter"}
    assert column["yard"] == column["lobby"] == 1
    assert column["hv-cage"] > column["storage"] > column["lockers"] > column["lobby"]
    assert len(m.doors) == len(_layout()["doors"])
    # no two boxes overlap
    spots = {(b.x, b.y) for b in m.boxes}
    assert len(spots) == len(m.boxes)


def test_threat_levels_armed_state_occupancy_and_devices_down_are_drawn() -> None:
    live = {"zones": [{"zone": "hv-cage", "kind": "high_value", "people": 2, "armed": True}],
            "doors": {"D-HV": "forced"},
            "devices_down": [{"device": "C-HV-1", "zones": ["hv-cage"], "status": "offline"}]}
    m = site_map(_layout(), live, {"*": "elevated", "hv-cage": "lockdown"})
    box = {b.zone: b for b in m.boxes}
    assert box["hv-cage"].threat == "lockdown"
    assert box["yard"].threat == "elevated"
    assert box["hv-cage"].armed is True
    assert box["hv-cage"].people == 2
    assert box["hv-cage"].down == ("C-HV-1",)
    door = next(d for d in m.doors if d.door == "D-HV")
    assert door.state == "forced"
    assert door.alarm
