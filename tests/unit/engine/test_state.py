"""The site state parts, folded directly (no detectors)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stockade.engine.state import SiteState
from stockade.engine.state.stock import GONE, PICKED, RECEIVED, SHIPPED, WRITTEN_OFF, sku_of, zone_of
from stockade.events import Access, Admin, Device, Door, Envelope, Gate, Sensor, Stock, Tag, Video
from stockade.site import SiteConfig, load_site
from stockade.site.calendar import on_shift

DEMO = Path(__file__).resolve().parents[3] / "examples" / "sites" / "dc-demo.yaml"
E = "urn:epc:id:sgtin:0614141.107346."


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(DEMO)


@pytest.fixture
def state(site: SiteConfig) -> SiteState:
    return SiteState(site)


def at(site: SiteConfig, minute: float) -> datetime:
    return datetime(2026, 11, 24, 10, 0, tzinfo=site.tz) + timedelta(minutes=minute)


def fold(state: SiteState, *events: Envelope) -> None:
    for i, e in enumerate(events):
        state.begin(e, i)
        state.apply(e)


def common(site: SiteConfig, n: int, minute: float, source: str = "x") -> dict[str, object]:
    return {"id": f"e{n}", "ts": at(site, minute), "site": site.site, "source": source}


def test_positions_follow_directed_and_undirected_grants(site, state):
    fold(state,
         Access(**common(site, 1, 0), door="D-FLOOR", result="granted", factors=["badge"], credential="badge:1001",
                direction="in"),
         Access(**common(site, 2, 1), door="D-HV", result="denied", factors=["badge"], credential="badge:1001"),
         Access(**common(site, 3, 2), door="D-PACK", result="granted", factors=["badge"], credential="badge:1001"))
    pos = state.people.where["emp-1001"]
    assert (pos.zone, pos.door, pos.event) == ("pack", "D-PACK", "e3")
    assert state.people.last_use["badge:1001"].door == "D-PACK"
    assert state.people.inside_since["emp-1001"] == at(site, 0)
    assert [g.event for g in state.doors.grants["D-FLOOR"]] == ["e1"]


def test_grants_revocations_and_overrides(site, state):
    p = site.people_by_id["emp-1001"]
    assert not state.people.allowed(p, "hv-cage", at(site, 0))
    assert state.people.allowed(p, "lobby", at(site, 0))  # public
    fold(state, Admin(**common(site, 1, 0), actor="it-01", action="grant_access", target="badge:1001", zone="hv-cage",
                      end=at(site, 60)),
         Admin(**common(site, 2, 0), actor="emp-1022", action="schedule_override", target="emp-1001",
               start=at(site, 300), end=at(site, 400)))
    assert state.people.allowed(p, "hv-cage", at(site, 30))
    assert not state.people.allowed(p, "hv-cage", at(site, 61))
    assert state.people.covered(p, at(site, 350))  # 15:50 on an override
    assert not state.people.covered(p, at(site, 450))
    fold(state, Admin(**common(site, 3, 1), actor="it-01", action="revoke_access", target="emp-1001"))
    assert not state.people.allowed(p, "storage", at(site, 2))


def test_doors_zones_and_gates(site, state):
    fold(state,
         Door(**common(site, 1, 0), door="D-HV", state="open"),
         Door(**common(site, 2, 5), door="D-FLOOR", state="held", duration_s=60),
         Sensor(**common(site, 3, 6), sensor="P-HV", zone="hv-cage", type="arm", user="emp-1042"),
         Admin(**common(site, 4, 7, "stockade:access"), actor="grd-1", action="set_threat_level", zone="dock-out",
               attrs={"level": "lockdown"}),
         Admin(**common(site, 5, 8), actor="emp-1060", action="create_appointment", target="ap-7",
               attrs={"direction": "outbound", "gate": "G-2", "carrier": "ACME", "plate": "XX-1",
                      "window": ["2026-11-24T12:00:00+01:00", "2026-11-24T13:00:00+01:00"]}),
         Gate(**common(site, 6, 9), gate="G-2", direction="in", plate="XX-1"))
    assert state.doors.open_since["D-HV"].event == "e1"
    assert state.doors.open_since["D-FLOOR"].ts == at(site, 4)  # back-dated by the held duration
    assert state.zones.is_armed("hv-cage") is True
    assert state.zones.is_armed("server-room") is None
    assert state.zones.threat_level("dock-out") == "lockdown"
    assert state.gates.for_plate("XX-1", at(site, 130)).id == "ap-7"
    assert "XX-1" in state.gates.on_site
    fold(state, Door(**common(site, 7, 10), door="D-HV", state="closed", duration_s=600))
    assert "D-HV" not in state.doors.open_since


def test_device_silence_and_sequence(site, state):
    fold(state, Device(**common(site, 1, 0, "nvr"), device="C-HV-1", status="online", seq=10),
         Device(**common(site, 2, 1, "nvr"), device="C-YARD-1", status="online", seq=11))
    state.begin(Device(**common(site, 3, 15.5, "nvr"), device="C-YARD-1", status="online", seq=14), 3)
    assert [d for d, _ in state.devices.newly_silent] == ["C-HV-1"]
    assert state.devices.down["C-HV-1"].status == "silent"
    state.apply(Device(**common(site, 3, 15.5, "nvr"), device="C-YARD-1", status="online", seq=14))
    assert state.devices.seq["nvr"] == 14
    fold(state, Tag(**common(site, 4, 16), reader="R-HV-1", epc=E + "1"),
         Video(**common(site, 5, 16), camera="C-HV-1", label="person", event="present"))
    assert "C-HV-1" not in state.devices.down  # heard again


def test_stock_expectations_flags_and_seals(site, state):
    e1, e2, e3 = E + "1", E + "2", E + "3"
    fold(state,
         Stock(**common(site, 1, 0), op="receive", to="dock-in", epcs=[e1, e2, e3]),
         Stock(**common(site, 2, 1), op="putaway", from_="dock-in", to="storage/A-1", epcs=[e1, e2]),
         Stock(**common(site, 3, 2), op="move", from_="dock-in", to="storage/B-2", epcs=[e3]))
    assert state.stock.expected("storage") == {e1, e2, e3}
    assert state.stock.expected("storage/A-1") == {e1, e2}
    fold(state,
         Stock(**common(site, 4, 3), op="pick", from_="storage/A-1", to="pack", epcs=[e1], order="o-1"),
         Stock(**common(site, 5, 4), op="ship", from_="dock-out", epcs=[e1], shipment="sh-1", seal="S1",
               trailer="T1"),
         Stock(**common(site, 6, 5), op="adjust", from_="storage/A-1", epcs=[e2], qty=-1, reason="stolen",
               user="emp-1022"),
         Stock(**common(site, 7, 6), op="count", to="storage", epcs=[e3], user="emp-1010"),
         Tag(**common(site, 8, 7), reader="R-HV-1", epc=e3))
    assert state.stock.flags(e1) & (SHIPPED | PICKED | RECEIVED) == SHIPPED | PICKED | RECEIVED
    assert state.stock.flags(e2) & (GONE | WRITTEN_OFF) == GONE | WRITTEN_OFF
    assert state.stock.expected("storage") == {e3}  # a count does not change expectations
    assert state.stock.shipments["sh-1"].seal == "S1"
    assert state.stock.trailers["T1"].shipment == "sh-1"
    assert state.stock.last_count["storage"].found == 1
    assert state.stock.last_read(e3) == (int(at(site, 7).timestamp() * 1000), "hv-cage")
    assert state.stock.read_id(e3) == "e8"
    assert zone_of("storage/A-1") == "storage"
    assert sku_of(e1) == "0614141.107346"


def test_the_cached_on_shift_answer_is_the_calendars_even_out_of_order(state: SiteState, site: SiteConfig) -> None:
    """Off shift is kept until the next occurrence can begin, on shift for the occurrence: the answer
    is the calendar's at every minute of two days, asked in order and a few minutes back (events may
    come up to 15 minutes late)."""
    people = [p for p in site.people if p.shift is not None][:6]
    start = datetime(2026, 11, 23, 0, 0, tzinfo=site.tz)
    for minute in range(0, 2 * 24 * 60, 7):
        for back in (0, 13):
            ts = start + timedelta(minutes=minute - back)
            for p in people:
                assert state.people.on_shift(p, ts) == on_shift(site, p, ts), (p.id, ts)


def test_an_off_shift_answer_is_not_kept_for_a_moment_before_it(site: SiteConfig) -> None:
    """Off just after a shift's end (and its grace), first asked there: a late event from just before
    the end is still on shift."""
    person = next(p for p in site.people if p.shift is not None)
    start = datetime(2026, 11, 23, 0, 0, tzinfo=site.tz)
    ts = next(start + timedelta(minutes=m) for m in range(14, 3 * 24 * 60)
              if on_shift(site, person, start + timedelta(minutes=m - 13))
              and not on_shift(site, person, start + timedelta(minutes=m)))
    fresh = SiteState(site)
    assert not fresh.people.on_shift(person, ts)
    assert fresh.people.on_shift(person, ts - timedelta(minutes=13))
