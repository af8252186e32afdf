"""The README's "Running a node" block runs as written, line by line, in an empty directory.

The block is parsed out of README.md (as sqlite-utils checks its documentation against its CLI),
so an edit to either the README or a command that breaks the path fails here. Each line is a
``stockade …`` command, optionally with ``> FILE``; it runs in process, except ``stockade serve``,
which blocks: it is started as a real process, probed over HTTP and stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from stockade.cli import app
from tests.serve import free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


@dataclass(frozen=True)
class Line:
    text: str
    argv: list[str]
    stdout_to: str | None


def node_block(readme: Path = README) -> list[Line]:
    """The commands of the first shell block under "## Running a node"."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index("## Running a node\n"):]
    block = section[section.index("```sh\n") + 6:]
    block = block[:block.index("```")]
    lines = []
    for raw in block.splitlines():
        words = shlex.split(raw, comments=True)
        if not words:
            continue
        target = None
        if ">" in words:
            at = words.index(">")
            assert at == len(words) - 2, f"only a trailing `> FILE` is supported: {raw}"
            words, target = words[:at], words[at + 1]
        assert words[0] == "stockade", f"a README node line that is not a stockade command: {raw}"
        lines.append(Line(raw.strip(), words[1:], target))
    return lines


def test_the_block_is_the_first_hour() -> None:
    commands = [" ".join(line.argv[:2]) for line in node_block()]
    assert commands[0].startswith("simulate")
    assert "keys import" in commands
    assert commands.index("keys import") < commands.index("ingest events.ndjson")
    assert commands[-1] == "serve"


def _serve_and_probe(workdir: Path, ingest_key: str) -> None:
    port = free_port()
    env = {**os.environ, "STOCKADE_PORT": str(port), "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "stockade", "serve"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"serve exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /healthz within 60 s"
            time.sleep(0.2)
        now = dt.datetime.now(dt.UTC).isoformat()
        event = {"id": "readme-probe-1", "kind": "door", "ts": now, "site": "dc-demo", "source": "ctl-1",
                 "door": "D-HV", "state": "closed"}
        r = httpx.post(f"http://127.0.0.1:{port}/v1/events", content=json.dumps(event).encode(),
                       headers={"Authorization": f"Bearer {ingest_key}", "Content-Type": "application/x-ndjson"},
                       timeout=30)
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] == 1, r.text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


def test_the_readme_node_block_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("examples", "src"):  # the block runs "from the checkout": its relative paths
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("STOCKADE_")]:
        monkeypatch.delenv(var)
    runner = CliRunner()
    ingest_key = ""
    for line in node_block():
        if line.argv == ["serve"]:
            _serve_and_probe(tmp_path, ingest_key)
            continue
        result = runner.invoke(app, line.argv)
        assert result.exit_code == 0, f"{line.text}\n{result.output}"
        assert "Traceback" not in result.output, line.text
        if line.stdout_to:
            (tmp_path / line.stdout_to).write_text(result.stdout, encoding="utf-8")
        if line.argv[:2] == ["apikey", "create"]:
            ingest_key = result.stdout.strip()
        if line.argv[:1] == ["ingest"]:
            assert "rejected 0" in result.stdout, result.output
    assert ingest_key.startswith("stk_")
    assert (tmp_path / "e.tlog-proof").exists()
