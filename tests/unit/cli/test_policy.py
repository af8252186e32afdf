from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.access.pack import DEFAULT_POLICY_DIR
from stockade.cli import app

runner = CliRunner()
SHIPPED_CASES = DEFAULT_POLICY_DIR / "cases.yaml"


def test_validate_the_default_pack_with_the_demo_site(demo_site_path: Path) -> None:
    result = runner.invoke(app, ["policy", "validate", "--site", str(demo_site_path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "high-value-biometric (step-up: fingerprint)" in result.output


def test_validate_refuses_a_broken_pack(tmp_path: Path) -> None:
    d = tmp_path / "p"
    shutil.copytree(DEFAULT_POLICY_DIR, d)
    (d / "99-bad.cedar").write_text('@id("bad") forbid (principal, action, resource) when { context.nope };')
    result = runner.invoke(app, ["policy", "validate", str(d)])
    assert result.exit_code == 1
    assert "99-bad.cedar bad" in result.output


def test_the_shipped_cases_pass(demo_site_path: Path) -> None:
    result = runner.invoke(app, ["policy", "test", str(SHIPPED_CASES), "--site", str(demo_site_path)])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


def test_a_failing_case_exits_1_with_a_diff(tmp_path: Path, demo_site_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(f"""site: {demo_site_path}
defaults: {{time: "2026-11-23T09:00:00+01:00", factors: [badge]}}
cases:
  - name: picker into the cage
    request: {{door: D-HV, credential: "badge:1001"}}
    expect: {{result: allow}}
""")
    result = runner.invoke(app, ["policy", "test", str(cases)])
    assert result.exit_code == 1
    assert "FAIL picker into the cage" in result.output
    assert "result: expected allow, got deny" in result.output
    assert "policies=[stockade:no-permit, high-value-biometric]" in result.output


def test_cases_against_another_policy_directory(tmp_path: Path, demo_site_path: Path) -> None:
    d = tmp_path / "p"
    shutil.copytree(DEFAULT_POLICY_DIR, d)
    (d / "99-closed.cedar").write_text(
        '@id("closed") @reason("closed") forbid (principal, action, resource) '
        'when { resource.kind == "storage" };')
    result = runner.invoke(app, ["policy", "test", str(SHIPPED_CASES), "--policies", str(d),
                                 "--site", str(demo_site_path)])
    assert result.exit_code == 1
    assert "picker enters the storage floor on shift" in result.output


def test_an_unusable_cases_file_exits_2(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text("cases: [")
    result = runner.invoke(app, ["policy", "test", str(cases)])
    assert result.exit_code == 2
    assert "not valid YAML" in " ".join(result.output.split())  # rich wraps long lines


ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "access.md"


def test_every_policy_command_in_the_docs_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    commands = [line.removeprefix("$ stockade ").split() for line in DOC.read_text().splitlines()
                if line.startswith("$ stockade policy")]
    assert len(commands) >= 3
    for argv in commands:
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, (argv, result.output)


def test_the_cases_example_in_the_docs_passes(tmp_path: Path, demo_site_path: Path) -> None:
    text = DOC.read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    cases = tmp_path / "cases.yaml"
    cases.write_text(example)
    result = runner.invoke(app, ["policy", "test", str(cases), "--site", str(demo_site_path)])
    assert result.exit_code == 0, result.output
