"""``stockade init``, ``apikey`` and ``ingest``: keys say what they can do, files cannot speak as Stockade."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from stockade.cli import app
from stockade.node.keys import SCOPES
from stockade.node.runtime import open_store
from stockade.node.settings import Settings
from tests.conftest import DEMO_SITE

runner = CliRunner()


@pytest.fixture
def node_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "dc-demo.yaml"
    shutil.copy(DEMO_SITE, site)
    result = runner.invoke(app, ["init", "--site", str(site)])
    assert result.exit_code == 0, result.output
    return tmp_path / "stockade-data"


def test_init_prints_what_each_scope_is_for(node_dir: Path) -> None:
    result = runner.invoke(app, ["init"])
    out = " ".join(result.output.split())
    for scope in SCOPES:
        assert f" {scope} " in out
    assert "POST /v1/access/decide" in out
    assert "POST /v1/events" in out
    assert "The admin key cannot post events or ask for decisions" in out


def create(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["apikey", "create", *args])
    return result.exit_code, " ".join(result.output.split())


def test_an_ingest_key_must_name_its_sources(node_dir: Path) -> None:
    code, out = create("--scope", "ingest", "--site", "dc-demo")
    assert code == 2
    assert "must name the sources it posts for: --source ID" in out


@pytest.mark.parametrize(("args", "needle"), [
    (("--source", "ctl-1", "--kind", "alert"), "alert events are written by Stockade only"),
    (("--source", "stockade:access"), "Stockade's own"),
    (("--source", "ctl-1", "--kind", "admin"), "could never send admin events: source 'ctl-1' is a device"),
    (("--source", "wms", "--kind", "admin"), "declares source 'wms' for stock events, not admin"),
    (("--source", "ctl-1", "--kind", "teleport"), "unknown kind 'teleport'"),
])
def test_a_key_that_could_never_work_is_refused_at_creation(node_dir: Path, args: tuple[str, ...],
                                                            needle: str) -> None:
    code, out = create("--scope", "ingest", "--site", "dc-demo", *args)
    assert code == 2
    assert needle in out


def test_keys_for_a_site_that_is_not_installed_are_refused(node_dir: Path) -> None:
    code, out = create("--scope", "pep", "--site", "dc-nowhere")
    assert code == 2
    assert "site 'dc-nowhere' is not installed" in out


def test_sources_and_kinds_are_for_ingest_keys_only(node_dir: Path) -> None:
    code, out = create("--scope", "read", "--source", "ctl-1")
    assert code == 2
    assert "only ingest keys have sources and kinds" in out


def test_keys_are_stored_with_their_binding_and_listed(node_dir: Path) -> None:
    assert create("--scope", "ingest", "--site", "dc-demo", "--source", "iam", "--kind", "admin")[0] == 0
    assert create("--scope", "ingest", "--site", "dc-demo", "--source", "ctl-1")[0] == 0
    assert create("--scope", "pep", "--site", "dc-demo")[0] == 0
    store = open_store(Settings(data_dir=node_dir))
    keys = {(k.scopes, k.sources, k.kinds, k.site) for k in store.list_keys()}
    store.close()
    assert (("ingest",), ("iam",), ("admin",), "dc-demo") in keys
    assert (("ingest",), ("ctl-1",), ("access", "device", "door", "gate", "sensor", "tag", "video"),
            "dc-demo") in keys
    assert (("pep",), (), (), "dc-demo") in keys
    out = " ".join(runner.invoke(app, ["apikey", "list"]).output.split())
    assert "sources=iam kinds=admin" in out


def line(event_id: str, **fields: object) -> bytes:
    return msgspec.json.encode({"id": event_id, "ts": "2026-11-23T10:00:00+01:00", "site": "dc-demo", **fields})


def test_a_file_cannot_speak_as_stockade_or_as_an_undeclared_admin(node_dir: Path, tmp_path: Path) -> None:
    """The offline door: ``stockade ingest FILE`` into a stopped node is held to the site's rules."""
    events = tmp_path / "forged.ndjson"
    events.write_bytes(b"\n".join([
        line("ok-1", kind="door", source="ctl-1", door="D-HV", state="open"),
        line("f-1", kind="admin", source="stockade:access", actor="analyst-1", action="clear_threat_level",
             zone="hv-cage"),
        line("f-2", kind="admin", source="ctl-1", actor="it-01", action="grant_access", target="emp-1001",
             zone="hv-cage"),
        line("al-0123", kind="door", source="ctl-1", door="D-HV", state="closed"),
        line("ok-2", kind="admin", source="iam", actor="it-01", action="grant_access", target="emp-1001",
             zone="hv-cage"),
    ]) + b"\n")
    result = runner.invoke(app, ["ingest", str(events)])
    assert result.exit_code == 1  # the command ran; its answer for some lines is no
    out = " ".join(result.output.split())
    assert "accepted 2, duplicate 0, rejected 3" in out
    assert ":2: rejected: source: forbidden: sources beginning 'stockade:' are Stockade's own" in out
    assert ":3: rejected: kind: forbidden: source 'ctl-1' is a device" in out
    assert ":4: rejected: id: forbidden: ids beginning 'al-'" in out


def test_an_analyst_key_is_made_with_its_roles_and_listed_with_them(node_dir: Path) -> None:
    code, out = create("--scope", "analyst", "--site", "dc-demo", "--role", "security-lead", "--label", "night lead")
    assert code == 0, out
    code, out = create("--scope", "read", "--role", "security-lead")
    assert code == 2
    assert "only analyst and admin keys have roles" in out
    listed = " ".join(runner.invoke(app, ["apikey", "list"]).output.split())
    assert "roles=security-lead night lead" in listed
    store = open_store(Settings(data_dir=node_dir))
    try:
        assert [k.roles for k in store.list_keys() if k.label == "night lead"] == [("security-lead",)]
    finally:
        store.close()


def test_serve_runs_uvicorn_on_its_c_parser_and_event_loop(tmp_path: Path) -> None:
    import uvicorn.protocols.http.httptools_impl as httptools_impl

    from stockade.cli.node import _server_config

    async def app(scope: object, receive: object, send: object) -> None: ...

    config = _server_config(app, Settings(data_dir=tmp_path))
    config.load()  # resolves the named parser and loop: raises if either is not installed
    assert config.http_protocol_class is httptools_impl.HttpToolsProtocol
    assert config.loop == "uvloop"
