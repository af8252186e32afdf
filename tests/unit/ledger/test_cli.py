"""The ledger, keys and witness commands, end to end on a temporary data directory."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from stockade.cli import app
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog, ledger_dir

runner = CliRunner()
ORIGIN = "stockade/dc-cli"


def _run(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.output


def _make_log(data: Path) -> SiteLog:
    keys = load_or_create_log_keys(data / "keys")
    log = SiteLog.open(ledger_dir(data, "dc-cli"), ORIGIN, keys.signer(ORIGIN))
    log.append([b'{"id":"e%d"}' % i for i in range(600)])
    log.checkpoint()  # entries of a partial tile reach the disk at checkpoint time
    return log


def test_keys_ledger_flow(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _make_log(data)
    d = ["--data-dir", str(data)]
    code, out = _run("keys", "show", "--vkey", "--origin", ORIGIN, *d)
    assert code == 0, out
    vkeys = out.split()
    assert len(vkeys) == 2
    assert all(v.startswith(ORIGIN + "+") for v in vkeys)
    assert stat.S_IMODE((data / "keys" / "log-ed25519.pem").stat().st_mode) == 0o600
    code, out = _run("ledger", "checkpoint", *d)
    assert code == 0, out
    assert out.startswith(f"{ORIGIN}\n600\n")
    proof = tmp_path / "e7.tlog-proof"
    assert _run("ledger", "prove", "--index", "7", "--out", str(proof), *d)[0] == 0
    vk = [x for v in vkeys for x in ("--vkey", v)]
    code, out = _run("ledger", "verify-proof", str(proof), *vk)
    assert code == 0, out
    assert '{"id":"e7"}' in out
    code, out = _run("ledger", "verify", str(ledger_dir(data, "dc-cli")), *vk)
    assert code == 0, out
    assert "600 entries" in out
    (ledger_dir(data, "dc-cli") / "tile/entries/001").unlink()
    code, out = _run("ledger", "verify", str(ledger_dir(data, "dc-cli")), *vk)
    assert code == 1
    assert "tile/entries/001 is missing" in out


def test_audit_rows_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _make_log(data)
    rows = tmp_path / "rows.ndjson"
    lines = [json.dumps({"index": i, "entry": {"id": f"e{i}"}}) for i in range(600) if i != 5]
    rows.write_text("\n".join(lines) + "\n")
    code, out = _run("ledger", "audit", "--rows", str(rows), "--data-dir", str(data))
    assert code == 1
    assert "log entry 5 has no row" in out


def test_rotate_and_devices(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert _run("keys", "rotate", *d)[0] == 0
    before = _run("keys", "show", "--vkey", "--origin", ORIGIN, *d)[1]
    assert "retired" in _run("keys", "rotate", *d)[1]
    after = _run("keys", "show", "--vkey", "--origin", ORIGIN, *d)[1]
    assert before != after
    both = _run("keys", "show", "--vkey", "--all", "--origin", ORIGIN, *d)[1].split()
    assert len(both) == 4
    pub = Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()
    assert _run("keys", "add-device", "CTL-1", pub, *d)[0] == 0
    assert "CTL-1" in (tmp_path / "devices.json").read_text()
    assert _run("keys", "add-device", "CTL-2", "nope", *d)[0] == 2
    small_order = "01" + "00" * 31  # the neutral point: OpenSSL would take (R = it, S = 0) for any message
    code, out = _run("keys", "add-device", "CTL-3", small_order, *d)
    assert (code, "small order" in out) == (2, True)
    assert "CTL-3" not in (tmp_path / "devices.json").read_text()


def test_witness_config_commands(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path)]
    keys = load_or_create_log_keys(tmp_path / "keys")
    code, out = _run("witness", "trust-log", ORIGIN, keys.vkeys(ORIGIN)[0], "--name", "w.example/1", *d)
    assert code == 0, out
    code, wvkey = _run("witness", "vkey", *d)
    assert wvkey.startswith("w.example/1+")
    assert _run("witness", "add-peer", "http://127.0.0.1:9", wvkey.strip(), *d)[0] == 0
    assert json.loads((tmp_path / "witnesses.json").read_text())[0]["url"] == "http://127.0.0.1:9"
