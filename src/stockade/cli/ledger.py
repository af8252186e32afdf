"""``stockade ledger verify|checkpoint|prove|verify-proof|audit``.

    stockade ledger checkpoint --site dc-paris-1
    stockade ledger prove ctl1-88121 --site dc-paris-1 --out e.tlog-proof
    stockade ledger verify-proof e41.tlog-proof --vkey 'stockade/dc-paris-1+1a2b3c4d+AT...'
    stockade ledger verify ./stockade-data/ledger/dc-paris-1 --vkey ...   (or an https:// prefix)
    stockade ledger verify http://127.0.0.1:8700/v1/ledger/dc-paris-1 --vkey ... --token "$AUDITOR_KEY"
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import httpx
import typer

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, fail, settings_for
from stockade.cli.keys import data_path, origins
from stockade.cli.progress import meter
from stockade.events.canonical import canonical_json
from stockade.ledger.audit import AuditReport, Row, audit_rows
from stockade.ledger.errors import LedgerError
from stockade.ledger.keys import load_or_create_log_keys
from stockade.ledger.log import SiteLog, ledger_dir
from stockade.ledger.note import Verifier
from stockade.ledger.proofs import verify_proof, write_proof
from stockade.ledger.seal import load_or_create_row_seal
from stockade.ledger.source import open_source
from stockade.ledger.verify import verify_log
from stockade.ledger.vkey import parse_vkey
from stockade.ledger.witnessing import cosign_checkpoint, load_peers
from stockade.node.runtime import open_store
from stockade.store.audit import audit_store
from stockade.store.errors import StoreError

if TYPE_CHECKING:
    from stockade.store.postgres.tiles import PostgresTiles

ledger_app = typer.Typer(help="Checkpoints, proofs and verification of the site logs.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")

VKeys = Annotated[list[str], typer.Option("--vkey", help="trusted verifier key (repeat for several)")]
VKeyFiles = Annotated[list[Path], typer.Option(
    "--vkeys", help="a file of trusted verifier keys, one per line (`stockade keys show --vkey > vkeys.txt`)")]
Site = Annotated[str | None, typer.Option(help="site id (default: the only loaded site)")]


def _verifiers(vkeys: list[str], files: Sequence[Path] = ()) -> list[Verifier]:
    for f in files:
        try:
            vkeys = [*vkeys, *(line.strip() for line in f.read_text(encoding="utf-8").splitlines() if line.strip())]
        except OSError as e:
            raise fail(f"cannot read the vkeys file {f}: {e.strerror}") from e
    if not vkeys:
        raise fail("give at least one --vkey KEY or --vkeys FILE (see `stockade keys show --vkey`)")
    try:
        return [parse_vkey(v) for v in vkeys]
    except LedgerError as e:
        raise fail(str(e)) from e


def open_site_log(data: Path, site: str | None) -> SiteLog:
    """The site's log with this data directory's keys (the only site when none is named)."""
    found = origins(data, site, None)
    if len(found) != 1:
        raise fail(f"several logs ({', '.join(found)}); choose one with --site")
    origin = found[0]
    name = site or origin.split("/", 1)[-1]
    try:
        return SiteLog.open(ledger_dir(data, name), origin, load_or_create_log_keys(data / "keys").signer(origin))
    except LedgerError as e:
        raise fail(str(e)) from e


@ledger_app.command("checkpoint")
def checkpoint(site: Site = None, data_dir: DataDir = None,
               witness: Annotated[bool, typer.Option(help="ask configured witnesses to cosign")] = True) -> None:
    """Sign a checkpoint of the site's log now, and collect witness cosignatures."""
    data = data_path(data_dir)
    log = open_site_log(data, site)
    note = log.checkpoint(keep=True)
    peers = load_peers(data / "witnesses.json") if witness else []
    if peers:
        with httpx.Client(timeout=10.0) as client:
            note, results = cosign_checkpoint(log, peers, client)
        for r in results:
            console.print(f"witness {r.url}: {'[green]ok[/green]' if r.ok else '[red]failed[/red]'} {r.detail}")
    print(note.decode(), end="")


@ledger_app.command("prove")
def prove(event_id: Annotated[str | None, typer.Argument(help="the event's id (looked up in the store)")] = None,
          out: Annotated[Path | None, typer.Option(help="where to write the proof (default: <id>.tlog-proof)")] = None,
          index: Annotated[int | None, typer.Option(help="prove this log entry instead of an event id "
                                                    "(entries count from 0: an event's seq − 1)")] = None,
          site: Site = None, data_dir: DataDir = None) -> None:
    """Write an offline C2SP tlog-proof for one event (the entry goes in the 'extra' line)."""
    if (event_id is None) == (index is None):
        raise fail("give an EVENT_ID or --index N")
    data = data_path(data_dir)
    log = open_site_log(data, site)
    if event_id is not None:
        store = open_store(settings_for(data_dir))
        row = store.get(log.directory.name, event_id)
        store.close()
        if row is None:
            raise fail(f"no event {event_id!r} in site {log.directory.name!r}")
        index = row.seq - 1
    if index is None:  # unreachable: exactly one of EVENT_ID and --index was checked above
        raise fail("give an EVENT_ID or --index N")
    target = out or Path(f"{event_id or index}.tlog-proof")
    try:
        proof = write_proof(log, index, target)
    except LedgerError as e:
        raise fail(str(e)) from e
    console.print(f"wrote {target}: log entry {proof.index} (the event with seq {proof.index + 1}; "
                  f"entries count from 0, seq from 1), {len(proof.hashes)} proof hashes")


@ledger_app.command("verify-proof")
def verify_proof_cmd(file: Annotated[Path, typer.Argument(help="a .tlog-proof file")], vkey: VKeys = [],  # noqa: B006
                     vkeys: VKeyFiles = [],  # noqa: B006
                     entry: Annotated[Path | None, typer.Option(help="the entry bytes, if not in the proof")] = None
                     ) -> None:
    """Check a tlog-proof offline: checkpoint signature and inclusion of the entry."""
    try:
        ok = verify_proof(file.read_bytes(), _verifiers(vkey, vkeys), entry.read_bytes() if entry else None)
    except LedgerError as e:
        raise fail(f"proof does NOT verify: {e}", code=1) from e
    console.print(f"[green]OK[/green] log entry {ok.index} (seq {ok.index + 1}) is in {ok.checkpoint.origin} at size "
                  f"{ok.checkpoint.size}; signed by {', '.join(ok.signers)}")
    print(ok.entry.decode("utf-8", "replace"))


def _http_client(location: str, token: str | None) -> httpx.Client | None:
    """A client that sends the key to a log served over HTTP(S); fails with a hint if the log wants one."""
    if not location.startswith(("http://", "https://")):
        return None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = httpx.Client(timeout=30.0, follow_redirects=True, headers=headers)
    try:
        answer = client.get(location.rstrip("/") + "/checkpoint")
    except httpx.HTTPError as e:
        client.close()
        raise fail(f"cannot reach {location}: {e}") from e
    if answer.status_code in (401, 403):
        client.close()
        hint = ("the key was refused" if token else
                "the log needs a key: pass --token KEY or set STOCKADE_TOKEN (a read or auditor key)")
        raise fail(f"{location} answered {answer.status_code}: {hint}")
    return client


def _postgres_tiles(location: str) -> PostgresTiles | None:
    """A cluster's tile store for ``postgresql://...#SITE`` (the site after the last ``#``)."""
    if not location.startswith(("postgresql://", "postgres://")):
        return None
    dsn, hash_, site = location.rpartition("#")
    if not hash_ or not site:
        raise fail(f"{location}: name the site after a '#': postgresql://user@host/db#dc-1")
    from stockade.store.postgres.tiles import PostgresTiles  # psycopg only when asked for

    try:
        return PostgresTiles.open(dsn)
    except StoreError as e:
        raise fail(str(e)) from e


@ledger_app.command("verify")
def verify(location: Annotated[str, typer.Argument(help="log directory, http(s):// tlog-tiles prefix, or a "
                                                   "cluster's tiles in PostgreSQL: postgresql://...#SITE")],
           vkey: VKeys = [],  # noqa: B006
           vkeys: VKeyFiles = [],  # noqa: B006
           checkpoint_file: Annotated[list[Path], typer.Option("--checkpoint", help="another checkpoint that "
                                      "must be consistent (e.g. from a witness); repeatable")] = [],  # noqa: B006
           origin: Annotated[str | None, typer.Option(help="expected origin")] = None,
           token: Annotated[str | None, typer.Option(envvar="STOCKADE_TOKEN", show_envvar=True,
                                                     help="API key sent as a bearer token to an http(s) log "
                                                          "(a read or auditor key)")] = None,
           quiet: Annotated[bool, typer.Option(help="no progress bar")] = False) -> None:
    """Recompute a whole log from its tiles and entries; name the first bad entry, tile or checkpoint."""
    verifiers = _verifiers(vkey, vkeys)
    client = _http_client(location, token)
    tiles = _postgres_tiles(location)
    try:
        source = open_source(location, client) if tiles is None else tiles.site(location.rpartition("#")[2])
        with meter("verifying", unit="entries", quiet=quiet) as m:
            report = verify_log(source, verifiers, origin, [(str(p), p.read_bytes()) for p in checkpoint_file],
                                progress=lambda done: m.advance(items=done - m.items))
    except (LedgerError, StoreError) as e:
        raise fail(f"log does NOT verify: {e}", code=1) from e
    finally:
        if client is not None:
            client.close()
        if tiles is not None:
            tiles.close()
    console.print(f"[green]OK[/green] {report.origin}: {report.entries} entries, {report.tiles} tiles, "
                  f"{report.checkpoints} checkpoints consistent; root {report.root.hex()}; "
                  f"signed by {', '.join(report.cosigners)}")


def print_audit(report: AuditReport, pending: int = 0, show: int = 200) -> None:
    """Print an audit report: each finding (the first ``show`` of each kind, then a count)."""
    if report.ok:
        more = f"; {pending} rows the node wrote are not in the log yet (the next start appends them)" \
            if pending else ""
        console.print(f"[green]OK[/green] {report.rows} rows, their columns and the entity index match the "
                      f"log's {report.log_size} entries{more}")
        return
    shown: dict[str, int] = {}
    for f in report.findings:
        shown[f.kind] = shown.get(f.kind, 0) + 1
        if shown[f.kind] <= show:
            console.print(f"[red]{f.kind}[/red] {f.detail}", highlight=False, soft_wrap=True)
    for kind, n in shown.items():
        if n > show:
            console.print(f"[red]{kind}[/red] … and {n - show} more")
    raise typer.Exit(1)


def read_rows(path: Path) -> list[Row]:
    """Rows exported as NDJSON: ``{"index": N, "entry": <the event object, or its JSON text>}``."""
    rows: list[Row] = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            entry = obj["entry"]
            rows.append(Row(int(obj["index"]), entry.encode() if isinstance(entry, str) else canonical_json(entry)))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise fail(f"{path}:{n}: not a row ({e})") from e
    return rows


@ledger_app.command("audit")
def audit(rows_file: Annotated[Path | None, typer.Option("--rows", help="audit rows exported as NDJSON "
                                                         '{"index": N, "entry": ...} instead of the store')] = None,
          site: Site = None, data_dir: DataDir = None) -> None:
    """Hold the store against the log: rows edited, deleted, inserted or reordered; the id, kind and
    ts_us columns; the entity index; rows past the log's end the node did not write."""
    data = data_path(data_dir)
    log = open_site_log(data, site)
    try:
        if rows_file is not None:
            report: AuditReport = audit_rows(log.entry, log.size, read_rows(rows_file))
            print_audit(report)
            return
        store = open_store(settings_for(data_dir))
        try:
            full = audit_store(log, store, log.directory.name, load_or_create_row_seal(data / "keys"))
        finally:
            store.close()
    except LedgerError as e:  # a missing or damaged tile or bundle: say which, no traceback
        raise fail(f"cannot audit {log.directory}: {e} (`stockade ledger verify` names the damage)") from e
    print_audit(full, full.pending)
