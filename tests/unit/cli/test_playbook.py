"""``stockade playbook validate`` and ``stockade playbook test``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from stockade.cli.app import app
from stockade.response.playbook import DEFAULT_DIR

runner = CliRunner()
CASES = DEFAULT_DIR / "cases.yaml"


def test_validate_the_shipped_pack() -> None:
    result = runner.invoke(app, ["playbook", "validate"])
    assert result.exit_code == 0, result.output
    assert "5 playbooks valid" in result.stdout


def test_validate_names_file_line_and_field_of_a_bad_playbook(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("playbook: p\ntrigger: {pattern: x}\nsteps:\n  - {id: a, do: teleport}\n")
    result = runner.invoke(app, ["playbook", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.yaml'}:4: steps[0].do:" in result.stderr


def test_the_packs_cases_pass() -> None:
    result = runner.invoke(app, ["playbook", "test", str(CASES)])
    assert result.exit_code == 0, result.output
    assert "8 cases, 8 passed" in result.stdout


def test_a_failing_case_fails_the_command_and_says_why(tmp_path: Path) -> None:
    text = CASES.read_text().replace("blind-and-grab:hold: sent", "blind-and-grab:hold: skipped")
    text = text.replace("site: ../../../../examples/sites/dc-demo.yaml",
                        f"site: {Path(__file__).resolve().parents[3] / 'examples' / 'sites' / 'dc-demo.yaml'}")
    cases = tmp_path / "cases.yaml"
    cases.write_text(text)
    result = runner.invoke(app, ["playbook", "test", str(cases)])
    assert result.exit_code == 1
    assert "blind-and-grab:hold: expected skipped, got sent" in result.stdout
