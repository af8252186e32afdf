from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockade.access.pack import DEFAULT_POLICY_DIR, PolicyPack, PolicyStore, load_pack
from stockade.access.pdp import (
    ERROR,
    NO_PERMIT,
    UNKNOWN_CREDENTIAL,
    UNKNOWN_DOOR,
    UNKNOWN_SITE,
    DecisionPoint,
)
from stockade.access.request import AccessRequest, Presented, ReaderPosture
from stockade.events import canonical_event, decode_event
from stockade.events.model import Access
from stockade.site import SiteConfig

from .conftest import MONDAY_9, ask


def test_allow_reports_the_permit_and_timing(pdp: DecisionPoint, pack: PolicyPack) -> None:
    answer = pdp.decide(ask("D-FLOOR", "badge:1001"))
    assert (answer.result, answer.policies, answer.subject, answer.zone) == (
        "allow", ("role-zone",), "emp-1001", "storage")
    assert answer.policy_hash == pack.hash
    assert answer.at == MONDAY_9
    assert answer.eval_us > 0
    assert answer.decision_id == "dec-1"


@pytest.mark.parametrize(
    ("request_", "policy", "reason"),
    [
        (AccessRequest(site="elsewhere", door="D-FLOOR", credential="badge:1001", time=MONDAY_9),
         UNKNOWN_SITE, "unknown site"),
        (ask("D-NOPE", "badge:1001"), UNKNOWN_DOOR, "unknown door 'D-NOPE'"),
        (ask("D-FLOOR", "badge:0000"), UNKNOWN_CREDENTIAL, "unknown credential 'badge:0000'"),
    ],
)
def test_unknowns_are_denied_with_a_reason(
    pdp: DecisionPoint, request_: AccessRequest, policy: str, reason: str
) -> None:
    answer = pdp.decide(request_)
    assert answer.result == "deny"
    assert answer.policies == (policy,)
    assert reason in answer.reasons[0]


def test_a_failing_risk_source_denies_with_the_error(site: SiteConfig, pack: PolicyPack) -> None:
    def broken(entity_type: str, entity_id: str) -> float:
        raise ConnectionError("risk store unreachable")

    answer = DecisionPoint(site, pack, risk=broken).decide(ask("D-FLOOR", "badge:1001"))
    assert answer.result == "deny"
    assert answer.policies == (ERROR,)
    assert "ConnectionError: risk store unreachable" in answer.reasons[0]


def test_a_policy_that_errors_at_evaluation_denies(site: SiteConfig, tmp_path: Path) -> None:
    # Cedar skips a policy whose evaluation errors; a skipped forbid must not become an allow.
    d = tmp_path / "p"
    shutil.copytree(DEFAULT_POLICY_DIR, d)
    (d / "99-overflow.cedar").write_text(
        '@id("overflow") forbid (principal, action, resource) '
        'when { context.risk + 9223372036854775807 > 1 };')
    answer = DecisionPoint(site, load_pack(d), risk=lambda t, i: 1.0).decide(ask("D-FLOOR", "badge:1001"))
    assert answer.result == "deny"
    assert answer.policies == (ERROR,)
    assert "policy evaluation error" in answer.reasons[0]


def test_step_up_only_when_the_factor_leads_to_entry(pdp: DecisionPoint) -> None:
    hv_picker = pdp.decide(ask("D-HV", "badge:1020"))
    assert (hv_picker.result, hv_picker.step_up) == ("step_up", "fingerprint")
    picker = pdp.decide(ask("D-HV", "badge:1001"))
    assert picker.result == "deny"
    assert picker.step_up is None
    assert picker.policies[0] == NO_PERMIT


def test_step_up_with_two_factors_names_the_first_and_the_rest(pdp: DecisionPoint) -> None:
    answer = pdp.decide(ask("D-HV", "badge:1020", "mobile"))
    assert (answer.result, answer.step_up) == ("step_up", "badge")
    assert "then also: fingerprint" in answer.reasons


def test_step_up_answer_becomes_allow_with_the_factor(pdp: DecisionPoint) -> None:
    pdp.risk = type("R", (), {"score": lambda self, t, i: 60.0})()
    assert pdp.decide(ask("D-FLOOR", "badge:1001")).step_up == "pin"
    with_pin = pdp.decide(ask("D-FLOOR", "badge:1001", "badge", Presented("pin", verified=True)))
    assert with_pin.result == "allow"


def test_threat_level_is_seen_by_the_next_decision(pdp: DecisionPoint) -> None:
    assert pdp.decide(ask("D-FLOOR", "badge:1001")).result == "allow"
    event = pdp.threats.set("lockdown", actor="analyst-1", at=MONDAY_9, zone="storage")
    denied = pdp.decide(ask("D-FLOOR", "badge:1001"))
    assert denied.result == "deny"
    assert "threat-lockdown" in denied.policies
    assert pdp.decide(ask("D-FLOOR", "badge:8001")).result == "allow"
    pdp.threats.clear(actor="analyst-1", at=MONDAY_9, zone="storage")
    assert pdp.decide(ask("D-FLOOR", "badge:1001")).result == "allow"
    pdp.observe(event)  # replaying the logged event restores the lockdown
    assert pdp.decide(ask("D-FLOOR", "badge:1001")).result == "deny"


def test_observe_feeds_passback(pdp: DecisionPoint) -> None:
    pdp.observe(Access(id="a1", ts=MONDAY_9, site="dc-demo", source="ctl", door="D-FLOOR", result="granted",
                       factors=["badge"], credential="badge:1001", direction="in"))
    answer = pdp.decide(ask("D-FLOOR", "badge:1001"))
    assert answer.result == "deny"
    assert answer.policies == ("anti-passback",)


def test_decision_event_has_inputs_but_no_secret_or_score(pdp: DecisionPoint) -> None:
    request = ask("D-HV", "badge:1020", "badge", Presented("pin", verified=True),
                  Presented("fingerprint", score=0.9731), reader=ReaderPosture(online=True, tampered=False))
    answer = pdp.decide(request)
    event = pdp.to_event(request, answer)
    assert (event.result, event.factors, event.subject, event.door) == (
        "allow", ("badge", "pin", "fingerprint"), "emp-1020", "D-HV")
    assert event.id == answer.decision_id
    assert event.policy_hash == answer.policy_hash
    assert event.attrs is not None
    assert event.attrs["zone"] == "hv-cage"
    assert event.attrs["facts"]["biometric"] == "pass"
    assert event.attrs["facts"]["pin"] == "pass"
    wire = canonical_event(event)
    assert b"0.9731" not in wire
    assert b"score" not in wire
    assert b"verified" not in wire
    assert decode_event(wire) == event


def test_reloaded_pack_is_used_by_the_next_decision(site: SiteConfig, tmp_path: Path) -> None:
    d = tmp_path / "p"
    shutil.copytree(DEFAULT_POLICY_DIR, d)
    store = PolicyStore(d)
    pdp = DecisionPoint(site, store)
    first = pdp.decide(ask("D-FLOOR", "badge:1001"))
    (d / "99-floor.cedar").write_text(
        '@id("floor-closed") @reason("floor closed for inventory") forbid (principal, action, resource) '
        'when { resource == Zone::"storage" };')
    store.reload()
    second = pdp.decide(ask("D-FLOOR", "badge:1001"))
    assert first.result == "allow"
    assert second.result == "deny"
    assert second.policies == ("floor-closed",)
    assert second.policy_hash != first.policy_hash


def test_bad_threshold_is_refused(site: SiteConfig, pack: PolicyPack) -> None:
    with pytest.raises(ValueError, match="biometric_threshold"):
        DecisionPoint(site, pack, biometric_threshold=0)


_NAMES = st.sampled_from(["D-HV", "D-FLOOR", "D-SERVER", "D-LOBBY", "D-FIRE-S", "X", "badge:1020",
                          "badge:8001", "badge:9081", "badge:1", ""])
_FACTORS = st.lists(st.builds(
    Presented, type=st.sampled_from(["badge", "pin", "face", "fingerprint", "mobile"]),
    verified=st.none() | st.booleans(), score=st.none() | st.floats(0, 1)), max_size=4)


@settings(max_examples=150, deadline=None)
@given(door=_NAMES, credential=_NAMES, factors=_FACTORS, direction=st.sampled_from(["in", "out"]),
       tampered=st.booleans(), online=st.booleans(), risk=st.floats(0, 100) | st.just(float("nan")),
       hours=st.integers(0, 24 * 14))
def test_any_request_gets_an_answer_and_unknowns_never_pass(
    site: SiteConfig, pack: PolicyPack, door: str, credential: str, factors: list[Presented],
    direction: str, tampered: bool, online: bool, risk: float, hours: int,
) -> None:
    from datetime import timedelta

    pdp = DecisionPoint(site, pack, risk=lambda t, i: risk)
    request = AccessRequest(site="dc-demo", door=door, credential=credential, factors=tuple(factors),
                            direction=direction, reader=ReaderPosture(online=online, tampered=tampered),  # type: ignore[arg-type]
                            time=MONDAY_9 + timedelta(hours=hours))
    answer = pdp.decide(request)
    assert answer.result in ("allow", "deny", "step_up")
    known = door in site.doors_by_id and credential in site.person_by_credential
    if not known or tampered or not online or risk != risk or risk >= 80:
        assert answer.result == "deny"
    if answer.result == "step_up":
        assert answer.step_up is not None
