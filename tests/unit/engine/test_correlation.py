"""Correlation of hand-made alerts into incidents (stockade.engine.correlation)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from stockade.engine.correlation import CorrelationParams, Correlator
from stockade.engine.correlation_incident import timeline
from stockade.events import Alert, Incident
from stockade.site import SiteConfig, load_site
from tests.unit.engine.correlation_helpers import alert, at


@pytest.fixture(scope="module")
def site(demo_site_path: Path) -> SiteConfig:
    return load_site(demo_site_path)


def run(c: Correlator, alerts: list[Alert]) -> list[Incident]:
    out: list[Incident] = []
    for a in alerts:
        out.extend(c.observe(a))
    return out


def test_lone_medium_alert_opens_a_new_incident(site: SiteConfig) -> None:
    c = Correlator(site)
    [inc] = c.observe(alert("al-1", "STK-ACC-003", "medium", 0, people=["emp-1001"],
                            credentials=["badge:1001"], doors=["D-HV"]))
    assert inc.kind == "incident"
    assert inc.id == f"{inc.incident}:1"
    assert inc.incident.startswith("inc-")
    assert (inc.status, inc.pattern, inc.severity) == ("new", "cloned_badge", "medium")
    assert inc.alerts == ("al-1",)
    assert inc.evidence == ("ev-al-1",)
    assert inc.start == inc.end == inc.ts == at(0)
    assert inc.entities.people == ("emp-1001",)
    assert inc.entities.zones == ("storage", "hv-cage")  # the door's zones
    assert "impossible badge use" in inc.summary
    assert inc.source == "stockade/correlation"


def test_lone_low_and_info_alerts_do_not_open_incidents(site: SiteConfig) -> None:
    c = Correlator(site)
    assert c.observe(alert("al-1", "STK-DOR-002", "low", 0, doors=["D-PACK-DOCK"])) == []
    assert c.observe(alert("al-2", "STK-DEV-001", "info", 1, devices=["C-LOBBY"])) == []
    assert c.observe(alert("al-3", "STK-DEV-001", "info", 2, devices=["C-LOBBY"])) == []
    assert c.observe(alert("al-4", "STK-DEV-001", "info", 3, devices=["C-LOBBY"])) == []


def test_a_repeating_low_signal_opens_a_medium_incident(site: SiteConfig) -> None:
    c = Correlator(site)
    out = run(c, [alert(f"al-{i}", "STK-ACC-002", "low", i * 5, doors=["D-SERVER"]) for i in range(3)])
    [inc] = out
    assert inc.alerts == ("al-0", "al-1", "al-2")
    assert (inc.pattern, inc.severity) == ("badge_probing", "medium")
    assert inc.start == at(0)
    assert inc.end == at(10)


def test_two_distinct_low_signals_on_one_entity_open_an_incident(site: SiteConfig) -> None:
    c = Correlator(site)
    assert c.observe(alert("al-1", "STK-ACC-004", "low", 0, people=["emp-1005"])) == []
    [inc] = c.observe(alert("al-2", "STK-ANO-001", "low", 4, people=["emp-1005"]))
    assert inc.alerts == ("al-1", "al-2")
    assert inc.severity == "medium"
    assert inc.pattern == "passback_violation"  # the anomaly only supports


OPEN = 10 * 60  # minutes after T0 (Saturday 02:00, the demo site closed) to Saturday 12:00, open


def test_context_signals_alone_stay_quiet_while_the_site_is_open(site: SiteConfig) -> None:
    c = Correlator(site)
    late = [alert(f"al-{i}", "STK-ACC-001", "medium", OPEN + i * 3, people=["emp-1003"], doors=["D-PACK"])
            for i in range(4)]
    assert run(c, late) == []
    assert c.observe(alert("al-9", "STK-ANO-001", "medium", OPEN + 14, people=["emp-1003"])) == []
    [inc] = c.observe(alert("al-10", "STK-ACC-001", "high", OPEN + 15, people=["emp-1003"], doors=["D-HV"]))
    assert inc.alerts == ("al-0", "al-1", "al-2", "al-3", "al-9", "al-10")
    assert inc.pattern == "after_hours_access"


def test_a_context_signal_opens_an_incident_beside_another_signal(site: SiteConfig) -> None:
    c = Correlator(site)
    assert c.observe(alert("al-1", "STK-ACC-001", "medium", OPEN, people=["emp-1003"], doors=["D-PACK"])) == []
    [inc] = c.observe(alert("al-2", "STK-INV-002", "low", OPEN + 20, zones=["pack"], epcs=["e1"]))
    assert inc.alerts == ("al-1", "al-2")
    assert (inc.pattern, inc.severity) == ("insider_after_hours_theft", "high")


def test_context_signals_count_like_any_other_while_the_site_is_closed(site: SiteConfig) -> None:
    c = Correlator(site)
    [inc] = c.observe(alert("al-1", "STK-ACC-001", "medium", 0, people=["emp-1003"], doors=["D-PACK"]))
    assert (inc.pattern, inc.severity) == ("after_hours_access", "medium")
    c = Correlator(site)
    assert c.observe(alert("al-1", "STK-ACC-001", "low", 0, people=["emp-1003"])) == []
    [inc] = c.observe(alert("al-2", "STK-ANO-001", "low", 1, people=["emp-1003"]))
    assert inc.alerts == ("al-1", "al-2")


def test_unrelated_low_signals_stay_quiet(site: SiteConfig) -> None:
    c = Correlator(site)
    assert c.observe(alert("al-1", "STK-ACC-004", "low", 0, people=["emp-1005"])) == []
    assert c.observe(alert("al-2", "STK-ANO-001", "low", 4, people=["emp-1006"])) == []
    assert c.observe(alert("al-3", "STK-ACC-004", "low", 40, people=["emp-1005"])) == []


def test_alerts_sharing_an_entity_within_the_window_join_one_incident(site: SiteConfig) -> None:
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-ACC-001", "high", 0, people=["emp-1001"], doors=["D-FLOOR"]))
    [v2] = c.observe(alert("al-2", "STK-ACC-005", "medium", 20, people=["emp-1001"], doors=["D-HV"]))
    assert v2.incident == v1.incident
    assert v2.id == f"{v1.incident}:2"
    assert v2.alerts == ("al-1", "al-2")
    assert v2.severity == "critical"  # high, and two distinct signals
    assert (v2.start, v2.end, v2.ts) == (at(0), at(20), at(20))


def test_the_window_is_measured_from_the_last_alert_on_the_key(site: SiteConfig) -> None:
    c = Correlator(site, CorrelationParams(window_s=1800))
    [v1] = c.observe(alert("al-1", "STK-ACC-005", "medium", 0, people=["emp-1001"]))
    [v2] = c.observe(alert("al-2", "STK-ACC-005", "medium", 25, people=["emp-1001"]))
    [v3] = c.observe(alert("al-3", "STK-ACC-005", "medium", 50, people=["emp-1001"]))
    [w1] = c.observe(alert("al-4", "STK-ACC-005", "medium", 81, people=["emp-1001"]))
    assert v1.incident == v2.incident == v3.incident
    assert w1.incident != v1.incident
    assert w1.id == f"{w1.incident}:1"


def test_blind_and_grab_builds_up_to_critical(site: SiteConfig) -> None:
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-DEV-001", "medium", 0, devices=["C-DOCKOUT-1", "C-DOCKOUT-2"]))
    assert (v1.pattern, v1.severity) == ("device_tampering", "medium")
    [v2] = c.observe(alert("al-2", "STK-DOR-001", "high", 4, doors=["D-YARD-DOCKOUT"]))
    assert v2.incident == v1.incident
    assert (v2.pattern, v2.severity) == ("blind_and_grab", "critical")  # high + two signals
    [v3] = c.observe(alert("al-3", "STK-INV-001", "high", 15, devices=["R-DOCKOUT-1"],
                           epcs=["urn:epc:id:sgtin:0614141.107346.2017"]))
    assert v3.incident == v1.incident
    assert v3.id.endswith(":3")
    assert (v3.pattern, v3.severity) == ("blind_and_grab", "critical")
    assert v3.entities.zones == ("dock-out",)
    assert v3.entities.devices == ("C-DOCKOUT-1", "C-DOCKOUT-2", "R-DOCKOUT-1")
    assert v3.entities.doors == ("D-YARD-DOCKOUT",)
    assert v3.summary.startswith("Blind and grab in dock-out: device down; door forced; goods left")


def test_devices_of_one_kind_form_a_group_across_zones(site: SiteConfig) -> None:
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-DEV-001", "medium", 0, devices=["C-HV-1"]))
    [v2] = c.observe(alert("al-2", "STK-DEV-001", "medium", 3, devices=["C-YARD-1"]))
    assert v2.incident == v1.incident
    assert v2.severity == "medium"


def test_devices_in_one_zone_form_a_group_across_kinds(site: SiteConfig) -> None:
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-DEV-001", "medium", 0, devices=["R-HV-1"]))
    [v2] = c.observe(alert("al-2", "STK-DEV-003", "high", 3, devices=["P-HV"]))
    assert v2.incident == v1.incident


def test_a_door_onto_a_public_zone_does_not_tie_that_zone(site: SiteConfig) -> None:
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-DOR-001", "high", 0, doors=["D-YARD-DOCKIN"]))
    [v2] = c.observe(alert("al-2", "STK-GAT-001", "medium", 2, devices=["G-1"], trucks=["AB-123-CD"]))
    assert v1.entities.zones == ("dock-in",)
    assert v2.incident != v1.incident


def test_an_epc_ties_a_write_off_to_goods_that_left_hours_before(site: SiteConfig) -> None:
    c = Correlator(site)
    epc = "urn:epc:id:sgtin:0614141.107346.7"
    [v1] = c.observe(alert("al-1", "STK-INV-001", "high", 0, devices=["R-DOCKOUT-1"], epcs=[epc]))
    [v2] = c.observe(alert("al-2", "STK-INV-003", "medium", 8 * 60, people=["emp-1002"],
                           zones=["storage"], epcs=[epc]))
    assert v2.incident == v1.incident
    assert (v2.pattern, v2.severity) == ("record_cover_up", "critical")  # high + two signals


def test_a_count_joins_an_incident_at_its_zone_from_the_day_before(site: SiteConfig) -> None:
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-DOR-001", "critical", 0, doors=["D-HV"]))
    [v2] = c.observe(alert("al-2", "STK-INV-002", "high", 29 * 60, zones=["hv-cage"], epcs=["e9"]))
    assert v2.incident == v1.incident
    [w] = c.observe(alert("al-3", "STK-ACC-005", "medium", 29 * 60 + 5, doors=["D-HV"]))
    assert w.incident == v1.incident  # the count refreshed the zone, not the door: only via hv-cage


def test_other_signals_do_not_look_back_beyond_the_window(site: SiteConfig) -> None:
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-DOR-001", "critical", 0, doors=["D-HV"]))
    [v2] = c.observe(alert("al-2", "STK-VID-003", "high", 29 * 60, zones=["hv-cage"]))
    assert v2.incident != v1.incident
    c = Correlator(site)
    [v1] = c.observe(alert("al-1", "STK-DOR-001", "critical", 0, doors=["D-HV"]))
    [v2] = c.observe(alert("al-2", "STK-INV-002", "high", 3 * 24 * 60, zones=["hv-cage"], epcs=["e9"]))
    assert v2.incident != v1.incident


def test_quiet_alerts_are_absorbed_when_an_incident_opens(site: SiteConfig) -> None:
    c = Correlator(site)
    assert c.observe(alert("al-1", "STK-ACC-002", "low", 0, doors=["D-HV"], credentials=["badge:1001"])) == []
    assert c.observe(alert("al-2", "STK-DEV-001", "info", 1, devices=["C-LOBBY"])) == []
    [inc] = c.observe(alert("al-3", "STK-DOR-001", "high", 2, doors=["D-HV"]))
    assert inc.alerts == ("al-1", "al-3")
    assert inc.start == at(0)
    assert inc.severity == "critical"
    assert c.observe(alert("al-4", "STK-ACC-002", "low", 3, doors=["D-HV"])) == []  # a repeat: folded in
    [later] = c.observe(alert("al-5", "STK-ACC-002", "low", 4, doors=["D-HV"]))  # 4 alerts: a version
    assert later.incident == inc.incident
    assert later.alerts == ("al-1", "al-3", "al-4", "al-5")


def test_an_alert_storm_writes_logarithmically_many_versions(site: SiteConfig) -> None:
    c = Correlator(site)
    versions = run(c, [alert(f"al-{i}", "STK-DOR-001", "high", i, doors=["D-HV"]) for i in range(1, 301)])
    assert len({v.incident for v in versions}) == 1
    assert [len(v.alerts) for v in versions] == [1, 2, 3, 4, 8, 16, 32, 64, 128, 256]  # 3: repeats escalate
    news = run(c, [alert("al-new", "STK-DEV-001", "high", 302, devices=["C-HV-1"], doors=["D-HV"])])
    assert len(news) == 1  # a new signal is shown at once
    assert len(news[0].alerts) == 301


def test_an_alert_linking_two_incidents_joins_the_most_severe(site: SiteConfig) -> None:
    c = Correlator(site)
    [a] = c.observe(alert("al-1", "STK-ACC-005", "medium", 0, people=["emp-1001"]))
    [b] = c.observe(alert("al-2", "STK-DOR-001", "critical", 1, doors=["D-SERVER"]))
    [j] = c.observe(alert("al-3", "STK-ACC-005", "medium", 2, people=["emp-1001"], doors=["D-SERVER"]))
    assert a.incident != b.incident
    assert j.incident == b.incident


def test_severity_never_falls_between_versions(site: SiteConfig) -> None:
    c = Correlator(site)
    versions = run(c, [
        alert("al-1", "STK-PER-001", "critical", 0, zones=["perimeter"]),
        alert("al-2", "STK-PER-001", "low", 1, zones=["perimeter"]),
    ])
    assert [v.severity for v in versions] == ["critical", "critical"]


def test_it_works_without_a_site_file() -> None:
    c = Correlator()
    [v1] = c.observe(alert("al-1", "STK-DEV-001", "medium", 0, devices=["X-1"]))
    [v2] = c.observe(alert("al-2", "STK-DEV-002", "medium", 1, devices=["X-1"]))
    assert v2.incident == v1.incident
    assert v2.pattern == "device_tampering"


def test_unknown_detectors_get_a_pattern_named_after_them() -> None:
    [inc] = Correlator().observe(alert("al-1", "ACME-7", "high", 0, people=["p"]))
    assert inc.pattern == "signal_acme_7"


def test_old_incidents_are_forgotten(site: SiteConfig) -> None:
    c = Correlator(site)
    c.observe(alert("al-1", "STK-ACC-005", "medium", 0, people=["emp-1001"]))
    c.observe(alert("al-2", "STK-DOR-002", "low", 1, doors=["D-PACK"]))
    c.observe(alert("al-3", "STK-ACC-005", "medium", 8 * 24 * 60, people=["emp-1002"]))
    assert len(c.open) == 1
    assert len(c.pending) == 0
    assert ("person", "emp-1001") not in c.by_key


def test_replay_gives_the_same_incident_ids_and_versions(site: SiteConfig) -> None:
    alerts = [
        alert("al-1", "STK-DEV-001", "medium", 0, devices=["C-DOCKOUT-1"]),
        alert("al-2", "STK-ACC-002", "low", 1, doors=["D-HV"]),
        alert("al-3", "STK-DOR-001", "high", 4, doors=["D-YARD-DOCKOUT"]),
        alert("al-4", "STK-ACC-002", "low", 5, doors=["D-HV"]),
        alert("al-5", "STK-ACC-002", "low", 6, doors=["D-HV"]),
        alert("al-6", "STK-INV-001", "high", 9, devices=["R-DOCKOUT-1"], epcs=["e1"]),
    ]
    first, second = run(Correlator(site), alerts), run(Correlator(site), alerts)
    assert first == second
    assert [v.id for v in first] == [v.id for v in second]
    assert len({v.id for v in first}) == len(first)  # version ids are unique


def test_a_correlator_restored_from_a_pickle_carries_on_identically(site: SiteConfig) -> None:
    alerts = [alert(f"al-{i}", "STK-ACC-001", "medium", i, people=["emp-1001"]) for i in range(4)]
    straight = run(Correlator(site), alerts)
    c = Correlator(site)
    head = run(c, alerts[:2])
    resumed = pickle.loads(pickle.dumps(c))
    assert head + run(resumed, alerts[2:]) == straight


def test_timeline_lists_the_alerts_in_event_time_order(site: SiteConfig) -> None:
    c = Correlator(site)
    a1 = alert("al-1", "STK-ACC-005", "medium", 5, people=["emp-1001"])
    a2 = alert("al-2", "STK-ACC-003", "high", 2, people=["emp-1001"])  # arrived late
    [_, inc] = run(c, [a1, a2])
    entries = timeline(inc, {a.id: a for a in (a1, a2)})
    assert [(e.alert, e.ts, e.detector) for e in entries] == [
        ("al-2", at(2), "STK-ACC-003"), ("al-1", at(5), "STK-ACC-005")]
    assert inc.start == at(2)
    assert timeline(inc, {a1.id: a1})[0].alert == "al-1"


def test_the_summary_follows_the_latest_alert_of_the_lead_signal(site: SiteConfig) -> None:
    """'2 devices went down' is superseded by the same detector's '5 devices went down'."""
    c = Correlator(site)
    first = run(c, [alert("al-2", "STK-DEV-001", "critical", 0, devices=["P-HV", "C-DOCKOUT-1"])])
    assert first[-1].summary.endswith("STK-DEV-001 fired (al-2)")
    later = run(c, [alert("al-5", "STK-DEV-001", "critical", 0.5,
                          devices=["P-HV", "C-DOCKOUT-1", "C-HV-1", "C-FLOOR-DOOR", "C-GATE-1"])])
    assert later[-1].incident == first[-1].incident
    assert later[-1].summary.endswith("STK-DEV-001 fired (al-5)")
