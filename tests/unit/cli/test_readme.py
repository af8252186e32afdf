"""Every command the README shows exists and runs; `stockade --help` lists every command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli import app

README = Path(__file__).resolve().parents[3] / "README.md"
DOCS = sorted((README.parent / "docs").glob("*.md"))
runner = CliRunner()


def readme_commands(path: Path = README) -> list[list[str]]:
    """The command path (command and subcommands) of every `stockade …` line in a document's code."""
    in_shell = in_block = False
    paths: list[list[str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("```"):
            in_shell = not in_block and raw[3:].strip() in ("sh", "bash", "console", "")
            in_block = not in_block
            continue
        if in_shell:
            line = raw.strip().removeprefix("$ ")
            if not line.startswith("stockade "):
                continue
            words = line.split("#")[0].split()[1:]
            path = []
            for w in words:
                if w.startswith("-") or "/" in w or "." in w or w.isupper():
                    break
                path.append(w)
            paths.append(path)
    return paths


def test_the_readme_shows_commands() -> None:
    assert len(readme_commands()) >= 5


DOCUMENTED = [(doc.name, cmd) for doc in (README, *DOCS) for cmd in readme_commands(doc)]


@pytest.mark.parametrize(("doc", "path"), DOCUMENTED, ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_documented_command_exists(doc: str, path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output


def test_help_lists_every_command_with_its_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert name.replace("_", "-") in result.output
        assert command.callback is not None
        assert command.callback.__doc__, f"{name} has no help"
    for group in app.registered_groups:
        assert group.name in result.output


def test_readme_walkthrough_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "dc-demo.yaml"
    shutil.copy(README.parent / "examples" / "sites" / "dc-demo.yaml", site)
    result = runner.invoke(app, ["init", "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert "stk_" in result.output
    result = runner.invoke(app, ["apikey", "create", "--scope", "ingest", "--site", "dc-demo", "--source", "ctl-1"])
    assert result.exit_code == 0, result.output
    events = tmp_path / "events.ndjson"
    events.write_text(
        '{"id":"e1","kind":"door","ts":"2026-11-21T02:00:00+01:00","site":"dc-demo","source":"ctl-1",'
        '"door":"D-HV","state":"open"}\n{"id":"e2","kind":"door"}\n', encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(events)])
    assert result.exit_code == 1  # it ran; one line was rejected
    assert "accepted 1, duplicate 0, rejected 1" in result.output
    result = runner.invoke(app, ["site", "show", "dc-demo"])
    assert result.exit_code == 0
    assert "hv-cage" in result.output


def test_bench_names_an_unknown_benchmark() -> None:
    result = runner.invoke(app, ["bench", "nope"])
    assert result.exit_code == 2
    assert "no benchmark nope" in result.output
