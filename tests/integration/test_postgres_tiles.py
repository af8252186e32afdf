"""A site's ledger tiles in PostgreSQL: the tile store every worker of a cluster reopens the log from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli import app as cli_app
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog
from stockade.ledger.verify import verify_log
from stockade.node.ingest import Principal
from stockade.node.roles.parts import RoleParts
from stockade.node.runtime import Node, load_sites, open_store
from stockade.node.settings import Settings
from stockade.store.postgres.tiles import PostgresTiles
from tests.integration.pg import throwaway_database
from tests.node_fixtures import door_line, make_node

pytestmark = pytest.mark.postgres
ORIGIN = "stockade/dc-1"
runner = CliRunner()


@pytest.fixture
def dsn() -> Iterator[str]:
    with throwaway_database("stockade_tiles") as name:
        yield name


def test_a_log_on_postgres_tiles_reopens_elsewhere_and_verifies(tmp_path: Path, dsn: str) -> None:
    keys = load_or_create_log_keys(tmp_path / "keys")
    tiles = PostgresTiles.open(dsn)
    log = SiteLog.open(tmp_path / "unused", ORIGIN, keys.signer(ORIGIN), files=tiles.site("dc-1"))
    entries = [f'{{"id":"e{i}"}}'.encode() for i in range(700)]  # two full tiles and a partial one
    log.append(entries)
    log.checkpoint()
    assert not (tmp_path / "unused").exists(), "nothing is written to the directory"

    other = PostgresTiles.open(dsn)  # another process: its own connection
    again = SiteLog.open(tmp_path / "unused", ORIGIN, keys.signer(ORIGIN), files=other.site("dc-1"))
    assert (again.size, again.root()) == (700, log.root())
    report = verify_log(other.site("dc-1"), keys.verifiers(ORIGIN), ORIGIN)
    assert report.size == 700
    assert other.site("dc-2").read("checkpoint") is None, "each site's files are its own"
    tiles.close()
    other.close()
    log.files.flush()


def test_a_node_with_postgres_tiles_keeps_its_log_there(tmp_path: Path, dsn: str) -> None:
    make_node(tmp_path, postgres_dsn=dsn).stop()  # installs the demo site
    settings = Settings(data_dir=tmp_path, postgres_dsn=dsn)
    tiles = PostgresTiles.open(dsn)
    node = Node(settings, open_store(settings), load_sites(settings), parts=RoleParts(tiles=tiles.site))
    node.ingestor.ingest_lines([door_line(f"e{i}") for i in range(300)], Principal.operator())
    node.ledgers.checkpoint_all()
    size = node.ledgers.logs["dc-demo"].size
    node.stop()
    keys = load_or_create_log_keys(tmp_path / "keys")
    origin = node.sites["dc-demo"].ledger_origin
    assert verify_log(tiles.site("dc-demo"), keys.verifiers(origin), origin).size == size == 300
    tiles.close()


def test_ledger_verify_reads_a_cluster_log_from_postgres(tmp_path: Path, dsn: str) -> None:
    keys = load_or_create_log_keys(tmp_path / "keys")
    tiles = PostgresTiles.open(dsn)
    log = SiteLog.open(tmp_path / "unused", ORIGIN, keys.signer(ORIGIN), files=tiles.site("dc-1"))
    log.append([f'{{"id":"e{i}"}}'.encode() for i in range(300)])
    log.checkpoint()
    args = [a for v in keys.vkeys(ORIGIN) for a in ("--vkey", v)]
    url = f"postgresql://postgres@127.0.0.1:5432/{dsn.rpartition('dbname=')[2]}"
    ok = runner.invoke(cli_app, ["ledger", "verify", f"{url}#dc-1", *args])
    assert ok.exit_code == 0, ok.output
    assert "300 entries" in ok.output
    tiles.site("dc-1").write("tile/0/000", b"\x00" * 32 * 256)  # a damaged full tile
    bad = runner.invoke(cli_app, ["ledger", "verify", f"{url}#dc-1", *args])
    assert bad.exit_code == 1
    assert "does NOT verify" in bad.output
    missing = runner.invoke(cli_app, ["ledger", "verify", url, *args])
    assert "name the site after a '#'" in missing.output
    tiles.close()
