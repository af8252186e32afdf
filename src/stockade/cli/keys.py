"""``stockade keys show|rotate|add-device|import``: the log's checkpoint keys and device keys.

    stockade keys show --vkey --site dc-paris-1
    stockade keys rotate
    stockade keys add-device CTL-DOCK-1 MCowBQYDK2VwAyEA...   (base64 or hex Ed25519 public key)
    stockade keys import events.keys.json                     (many devices at once, e.g. from simulate)

Every change of keys is logged in every site's log as an ``admin`` event, so a
registration nobody asked for shows up in the log an auditor verifies; while a
node holds the data directory the change is refused (rotation: made, then
reported as not logged), never made silently.
"""

from __future__ import annotations

import base64
import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, fail, settings_for
from stockade.events import Admin
from stockade.ledger.devices import DeviceKeys, parse_public_key
from stockade.ledger.errors import LedgerError
from stockade.ledger.keys import key_history, load_or_create_log_keys, rotate_log_keys
from stockade.node.lock import DataDirBusyError, DataDirLock
from stockade.node.runtime import Node
from stockade.site import SiteConfigError, load_site

keys_app = typer.Typer(help="Checkpoint signing keys, witness key and device keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def data_path(data_dir: Path | None) -> Path:
    return settings_for(data_dir).data_dir


def origins(data: Path, site: str | None, origin: str | None) -> list[str]:
    """The log origins to act on: explicit, one site's, or every loaded site's and every log's."""
    if origin:
        return [origin]
    paths = [data / "sites" / f"{site}.yaml"] if site else sorted((data / "sites").glob("*.yaml"))
    found: list[str] = []
    for p in paths:
        if not p.exists():
            raise fail(f"no site {site!r} in {data / 'sites'}; run `stockade site load FILE`")
        try:
            found.append(load_site(p).ledger_origin)
        except SiteConfigError as e:
            raise fail(str(e)) from e
    if not site:
        for d in sorted((data / "ledger").glob("*")) if (data / "ledger").is_dir() else []:
            if d.is_dir() and f"stockade/{d.name}" not in found and not (data / "sites" / f"{d.name}.yaml").exists():
                found.append(f"stockade/{d.name}")
    if not found:
        raise fail("no site loaded; give --site or --origin")
    return found


@keys_app.command("show")
def show(
    data_dir: DataDir = None,
    vkey: Annotated[bool, typer.Option("--vkey", help="print the verifier keys only (for scripts)")] = False,
    site: Annotated[str | None, typer.Option(help="site id (default: every loaded site)")] = None,
    origin: Annotated[str | None, typer.Option(help="log origin, instead of a site")] = None,
    all_keys: Annotated[bool, typer.Option("--all", help="include keys retired by rotation")] = False,
) -> None:
    """Show the checkpoint verifier keys (Ed25519 and ML-DSA-44) per log origin."""
    data = data_path(data_dir)
    try:
        keys = load_or_create_log_keys(data / "keys")
        history = key_history(data / "keys") if all_keys else [keys.public]
    except LedgerError as e:
        raise fail(str(e)) from e
    for org in origins(data, site, origin):
        for pub in history:
            for line in pub.vkeys(org):
                if vkey:
                    print(line)
                else:
                    kind = "ML-DSA-44 (0x06)" if "+" in line and len(line) > 200 else "Ed25519 (0x01)"
                    current = "" if pub == keys.public else " [retired]"
                    console.print(f"[bold]{org}[/bold] {kind}{current}\n  {line}", soft_wrap=True)


def log_key_change(data_dir: Path | None, action: str, target: str | None = None) -> list[str]:
    """Append the key change to every site's log as an ``admin`` event, signed with the new keys.

    Fails (like every writer) while a server holds the data directory."""
    try:
        node = Node.open(settings_for(data_dir))
    except DataDirBusyError as e:
        raise fail(f"{e}; the key change is made but not logged") from e
    now = datetime.now(UTC)
    actor = getpass.getuser() or "operator"
    try:
        for site in node.sites:
            event = Admin(id=f"adm-{action}-{now:%Y%m%dT%H%M%S%fZ}", ts=now, site=site, source="stockade:cli",
                          actor=actor, action=action, target=target,
                          detail=" ".join(node.ledgers.keys.vkeys(node.sites[site].ledger_origin)))
            node.ingestor.write_outputs(site, [event])
    finally:
        node.stop()
    return sorted(node.sites)


@keys_app.command("rotate")
def rotate(data_dir: DataDir = None) -> None:
    """Retire the checkpoint keys and create new ones (old checkpoints stay verifiable with old vkeys)."""
    data = data_path(data_dir)
    try:
        lock = DataDirLock.acquire(data)  # never rotate under a running node
    except DataDirBusyError as e:
        raise fail(str(e)) from e
    try:
        result = rotate_log_keys(data / "keys")
    except LedgerError as e:
        raise fail(str(e)) from e
    finally:
        lock.release()
    if result.old is None:
        console.print("created checkpoint keys (there were none)")
    else:
        console.print(f"rotated: old private keys kept under {result.retired_dir} (mode 0600)")
    logged = log_key_change(data_dir, "rotate_log_key")
    if logged:
        console.print(f"logged the rotation in {', '.join(logged)}")
    console.print("Publish the new vkeys (`stockade keys show --vkey`) to auditors and witnesses; "
                  "checkpoints from now on are signed with the new keys. Restart running nodes.")


KEYS_PER_EVENT = 100  # an admin event names at most this many devices (a log entry has a size limit)


def _b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes_raw()).decode("ascii")


def register_devices(data_dir: Path | None, keys: dict[str, Ed25519PublicKey]) -> Registered:
    """Add ``keys`` to ``<data>/devices.json`` and log the registration in every site's log.

    The data directory is taken first: under a running node nothing is changed."""
    node = Node.open(settings_for(data_dir))  # DataDirBusyError: refused, nothing written
    try:
        path = node.settings.data_dir / "devices.json"
        old = DeviceKeys.load(path)
        current = {s: k for s in old.sources() if (k := old.get(s)) is not None}
        replaced = sorted(s for s, k in keys.items() if s in current and _b64(current[s]) != _b64(k))
        DeviceKeys(path, {**current, **keys}).save()
        now = datetime.now(UTC)
        actor = getpass.getuser() or "operator"
        sources = sorted(keys)
        chunks = [sources[i:i + KEYS_PER_EVENT] for i in range(0, len(sources), KEYS_PER_EVENT)]
        for site in node.sites:
            events = [Admin(id=f"adm-register_device_keys-{now:%Y%m%dT%H%M%S%fZ}-{n}", ts=now, site=site,
                            source="stockade:cli", actor=actor, action="register_device_keys",
                            target=chunk[0] if len(chunk) == 1 else None,
                            detail=" ".join(f"{s}={_b64(keys[s])}" for s in chunk))
                      for n, chunk in enumerate(chunks, 1)]
            node.ingestor.write_outputs(site, events)
    finally:
        node.stop()
    return Registered(path, len(keys), replaced, sorted(node.sites))


@dataclass(frozen=True, slots=True)
class Registered:
    path: Path
    count: int
    replaced: list[str]
    logged_in: list[str]

    def say(self) -> None:
        where = (f"logged in {', '.join(self.logged_in)}" if self.logged_in
                 else "no site is loaded, so it is logged nowhere")
        console.print(f"registered {self.count} device key{'s' if self.count != 1 else ''} in {self.path}; {where}",
                      soft_wrap=True)
        if self.replaced:
            console.print(f"[yellow]replaced[/yellow] the previous key of {', '.join(self.replaced)}", soft_wrap=True)


@keys_app.command("add-device")
def add_device(
    source: Annotated[str, typer.Argument(help="the event 'source' id of the device")],
    pubkey: Annotated[str, typer.Argument(help="its Ed25519 public key, 32 bytes in base64 or hex")],
    data_dir: DataDir = None,
) -> None:
    """Register a device's Ed25519 public key; its signed events are then verified at ingest."""
    key = parse_public_key(pubkey)
    register_devices(data_dir, {source: key}).say()


@keys_app.command("import")
def import_keys(
    file: Annotated[Path, typer.Argument(help='device keys as JSON: {"devices": {SOURCE: PUBKEY, ...}} '
                                       "(what `stockade simulate` writes beside its events)")],
    data_dir: DataDir = None,
) -> None:
    """Register many devices' Ed25519 public keys in one call (logged like every key change)."""
    if not file.is_file():
        raise fail(f"no key file {file}; `stockade simulate` writes one beside its --out (EVENTS.keys.json)")
    keys = DeviceKeys.load(file)  # KeyFileError names the file and the problem
    if not keys.sources():
        raise fail(f"{file} has no device keys")
    register_devices(data_dir, {s: k for s in keys.sources() if (k := keys.get(s)) is not None}).say()
