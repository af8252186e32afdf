"""An auditor verifies a running node's log by URL: ``--token`` or ``STOCKADE_TOKEN`` carries the key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from stockade.api.app import create_app
from stockade.cli import app as cli_app
from stockade.node.ingest import Principal
from stockade.node.keys import new_key
from tests.live_server import serve
from tests.node_fixtures import door_line, make_node

runner = CliRunner()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, list[str]]]:
    """The URL of a running node's dc-demo log, an auditor key, and the log's --vkey arguments."""
    data = tmp_path / "data"
    node = make_node(data)
    node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(30)], Principal.operator())
    token, record = new_key(("auditor",))
    node.store.put_key(record)
    vkeys = runner.invoke(app_cli(), ["keys", "show", "--vkey", "--data-dir", str(data)]).output.split()
    with serve(create_app(node)) as base:
        node.ledgers.logs["dc-demo"].checkpoint(keep=True)
        yield f"{base}/v1/ledger/dc-demo", token, [a for v in vkeys for a in ("--vkey", v)]


def app_cli() -> typer.Typer:
    return cli_app


def test_without_a_key_it_says_how_to_give_one(served: tuple[str, str, list[str]]) -> None:
    url, _, vkeys = served
    result = runner.invoke(app_cli(), ["ledger", "verify", url, *vkeys], env={"STOCKADE_TOKEN": ""})
    assert result.exit_code != 0
    out = " ".join(result.output.split())
    assert "401" in out
    assert "--token" in out
    assert "STOCKADE_TOKEN" in out


def test_with_token_the_running_log_verifies(served: tuple[str, str, list[str]]) -> None:
    url, token, vkeys = served
    result = runner.invoke(app_cli(), ["ledger", "verify", url, *vkeys, "--token", token])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
    assert "30 entries" in result.output


def test_token_from_the_environment(served: tuple[str, str, list[str]]) -> None:
    url, token, vkeys = served
    result = runner.invoke(app_cli(), ["ledger", "verify", url, *vkeys], env={"STOCKADE_TOKEN": token})
    assert result.exit_code == 0, result.output


def test_a_wrong_token_is_refused_by_name(served: tuple[str, str, list[str]]) -> None:
    url, _, vkeys = served
    result = runner.invoke(app_cli(), ["ledger", "verify", url, *vkeys, "--token", "stk_000000000000_nope"])
    assert result.exit_code != 0
    assert "refused" in result.output
