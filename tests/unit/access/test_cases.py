from __future__ import annotations

from pathlib import Path

import pytest

from stockade.access.cases import run_cases
from stockade.access.errors import CaseFileError
from stockade.access.pack import DEFAULT_POLICY_DIR

SHIPPED = DEFAULT_POLICY_DIR / "cases.yaml"


def test_the_shipped_cases_pass_on_the_demo_site(demo_site_path: Path) -> None:
    report = run_cases(SHIPPED, site=demo_site_path)
    assert report.site == "dc-demo"
    assert len(report.results) >= 40
    assert [(f.name, f.problems) for f in report.failures] == []


def test_every_default_policy_is_exercised_by_a_shipped_case(demo_site_path: Path) -> None:
    report = run_cases(SHIPPED, site=demo_site_path)
    fired = {p for r in report.results for p in r.answer.policies}
    from stockade.access.pack import load_pack

    assert set(load_pack(DEFAULT_POLICY_DIR).ids) <= fired


def _write(tmp_path: Path, demo_site_path: Path, body: str) -> Path:
    p = tmp_path / "cases.yaml"
    defaults = "defaults: {time: '2026-11-23T09:00:00+01:00', factors: [badge]}\n"
    p.write_text(f"site: {demo_site_path}\n{defaults}{body}")
    return p


def test_a_wrong_expectation_is_reported_field_by_field(tmp_path: Path, demo_site_path: Path) -> None:
    p = _write(tmp_path, demo_site_path, """cases:
  - name: wrong
    request: {door: D-HV, credential: "badge:1020"}
    expect: {result: allow, step_up: pin, policies: [role-zone], reason: welcome}
""")
    report = run_cases(p)
    assert not report.ok
    assert report.failures[0].problems == (
        "result: expected allow, got step_up",
        "step_up: expected pin, got fingerprint",
        "policies: expected role-zone among those that fired",
        "reason: expected one containing 'welcome'",
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("cases:\n  - name: x\n    request: {}\n    expect: {result: maybe}\n", "expect.result"),
        ("cases:\n  - name: x\n    request: {door: D-HV}\n    expect: {result: deny}\n", "credential"),
        ("cases:\n  - name: x\n    given: {events: [{kind: admin}]}\n"
         "    request: {door: D-HV, credential: b}\n    expect: {result: deny}\n", "given.events[0]"),
        ("cases: [\n", "not valid YAML"),
    ],
)
def test_unusable_case_files_name_the_problem(
    tmp_path: Path, demo_site_path: Path, body: str, problem: str
) -> None:
    with pytest.raises(CaseFileError, match=problem.replace("[", r"\[")):
        run_cases(_write(tmp_path, demo_site_path, body))


def test_a_cases_file_needs_a_site(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("cases: []\n")
    with pytest.raises(CaseFileError, match="names no site"):
        run_cases(p)
