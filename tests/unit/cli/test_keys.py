"""`stockade keys import` registers many device keys in one call and logs it in every site's log;
`stockade simulate` writes the keys it signed with beside its events."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from stockade.cli import app
from stockade.cli.sim import keys_path_for
from stockade.ledger.devices import DeviceKeys
from stockade.store.sqlite import SqliteStore
from tests.node_fixtures import make_node

runner = CliRunner()
KEY_A, KEY_B = (Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32).public_key().public_bytes_raw().hex()
                for n in (1, 2))  # real keys: a registry refuses 32 bytes that are no usable public key


def _admin_events(data: Path) -> list[object]:
    store = SqliteStore.open(data)
    try:
        return [r.event for r in store.read("dc-demo") if r.event.kind == "admin"]
    finally:
        store.close()


def test_import_registers_every_key_and_logs_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_node(data).stop()
    keys = tmp_path / "events.keys.json"
    keys.write_text(f'{{"devices": {{"G-1": "{KEY_A}", "P-HV": "{KEY_B}"}}}}', encoding="utf-8")
    result = runner.invoke(app, ["keys", "import", str(keys), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "registered 2 device keys" in result.output
    assert "logged in dc-demo" in result.output
    assert DeviceKeys.load(data / "devices.json").sources() == ["G-1", "P-HV"]
    (event,) = _admin_events(data)
    assert getattr(event, "action", None) == "register_device_keys"
    detail = getattr(event, "detail", "") or ""
    assert "G-1=" in detail
    assert "P-HV=" in detail
    audit = runner.invoke(app, ["ledger", "audit", "--data-dir", str(data)])
    assert audit.exit_code == 0, audit.output


def test_a_replaced_key_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_node(data).stop()
    assert runner.invoke(app, ["keys", "add-device", "G-1", KEY_A, "--data-dir", str(data)]).exit_code == 0
    result = runner.invoke(app, ["keys", "add-device", "G-1", KEY_B, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "replaced the previous key of G-1" in result.output
    assert [getattr(e, "target", None) for e in _admin_events(data)] == ["G-1", "G-1"]


def test_simulate_writes_the_keys_beside_its_events(tmp_path: Path) -> None:
    assert keys_path_for(Path("out/week.ndjson")) == Path("out/week.keys.json")
    scenario = tmp_path / "s.yaml"
    site = Path(__file__).resolve().parents[3] / "examples" / "sites" / "dc-demo.yaml"
    scenario.write_text(f'scenario: s\nsite: {site}\nstart: "2026-11-24T09:00:00+01:00"\nduration: 20m\n'
                        'seed: 3\nsigning: {sources: [G-1, P-HV]}\n', encoding="utf-8")
    out = tmp_path / "ev.ndjson"
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(out), "--labels", str(tmp_path / "l.json")])
    assert result.exit_code == 0, result.output
    written = DeviceKeys.load(tmp_path / "ev.keys.json")
    assert set(written.sources()) <= {"G-1", "P-HV"}
    assert written.sources()
    assert "stockade keys import" in " ".join(result.output.split())
