"""Site files: the demo site loads; each mistake is named with file, field and problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from stockade.site import SiteConfigError, load_site, parse_site

MINIMAL: dict[str, Any] = {
    "site": "s1", "name": "Test", "timezone": "Europe/Paris",
    "zones": [{"id": "yard", "kind": "yard", "public": True}, {"id": "storage", "kind": "storage"},
              {"id": "hv", "kind": "high_value", "armed_outside_hours": True}],
    "doors": [{"id": "D1", "zones": ["yard", "storage"]}, {"id": "D2", "zones": ["storage", "hv"]}],
    "sensors": [{"id": "P-HV", "zone": "hv", "type": "panel"}],
    "roles": {"picker": {"zones": ["storage"]}},
    "shifts": {"day": {"days": ["mon"], "start": "06:00", "end": "14:00"}},
    "people": [{"id": "p1", "kind": "employee", "role": "picker", "shift": "day", "credentials": ["badge:1"]}],
}


def with_change(path: str, value: object) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    target = data
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]
    last = keys[-1]
    target[int(last) if last.isdigit() else last] = value
    return data


def test_demo_site_meets_the_issue_floor(demo_site_path: Path) -> None:
    site = load_site(demo_site_path)
    kinds = {z.kind for z in site.zones}
    assert len(site.zones) >= 8
    assert {"high_value", "yard", "perimeter", "dock"} <= kinds
    assert any(z.exit and z.kind == "dock" for z in site.zones)
    assert len(site.doors) >= 10
    assert len(site.readers) >= 6
    assert sum(r.portal for r in site.readers) >= 2
    assert len(site.cameras) >= 8
    assert any(s.type == "fence" for s in site.sensors)
    assert len(site.gates) == 2
    assert len(site.people) >= 60
    assert len({p.shift for p in site.people if p.shift}) >= 3
    assert len({p.role for p in site.people if p.role}) >= 4
    assert any(p.kind == "vendor" for p in site.people)
    assert any(p.role == "guard" for p in site.people)
    assert site.vendors
    assert len(site.skus) >= 50


@pytest.mark.parametrize(("path", "value", "message"), [
    ("doors.0.zones", ["yard", "dock"], "zone 'dock' is not defined"),
    ("people.0.role", "boss", "role 'boss' of p1 is not defined"),
    ("people.0.shift", "swing", "shift 'swing' of p1 is not defined"),
    ("timezone", "Mars/Olympus", "unknown time zone"),
    ("shifts.day.start", "25:00", "not a time of day"),
    ("zones.0.kind", "moat", "zones.0.kind"),
    ("zones.1.colour", "red", "Extra inputs are not permitted"),
])
def test_errors_name_field_and_problem(path: str, value: object, message: str) -> None:
    with pytest.raises(SiteConfigError) as info:
        parse_site(with_change(path, value), "site.yaml")
    assert "site.yaml" in str(info.value)
    assert message in str(info.value)


def test_armed_zone_needs_a_panel() -> None:
    data = with_change("sensors", [])
    with pytest.raises(SiteConfigError, match="zone 'hv' has no panel sensor"):
        parse_site(data, "x.yaml")


def test_duplicate_ids_and_credentials_are_refused() -> None:
    people = [*MINIMAL["people"], {"id": "p2", "kind": "employee", "role": "picker", "credentials": ["badge:1"]}]
    with pytest.raises(SiteConfigError, match="credentials: id 'badge:1' appears more than once"):
        parse_site(with_change("people", people), "x.yaml")


def test_unreadable_and_invalid_yaml_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="cannot read"):
        load_site(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: [unclosed", encoding="utf-8")
    with pytest.raises(SiteConfigError, match="not valid YAML"):
        load_site(bad)


def test_epcis_locations_map_to_defined_zones() -> None:
    data = {**MINIMAL, "locations": {"urn:epc:id:sgln:0614141.00777.0": "storage/A-12-3",
                                     "https://id.gs1.org/414/0614141007776": "yard"}}
    site = parse_site(data)
    assert site.locations["urn:epc:id:sgln:0614141.00777.0"] == "storage/A-12-3"
    with pytest.raises(SiteConfigError, match=r"locations\['urn:x'\]: zone 'nowhere' is not defined"):
        parse_site({**MINIMAL, "locations": {"urn:x": "nowhere/B-1"}})
    with pytest.raises(SiteConfigError, match="locations"):
        parse_site({**MINIMAL, "locations": {"urn:x": "bad location!"}})
