"""``stockade init``, ``serve``, ``ingest`` and ``apikey``: running a node."""

from __future__ import annotations

import contextlib
import enum
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from starlette.types import ASGIApp

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, err, fail, settings_for
from stockade.node.keys import SCOPE_HELP, SCOPES, binding_problem, new_key, revoked
from stockade.node.runtime import Node, load_sites, open_store
from stockade.node.settings import Settings
from stockade.site import SiteConfig, load_site
from stockade.store import ApiKeyRecord

CONFIG_TEMPLATE = """# Stockade node settings; every key can also be set as STOCKADE_<KEY> in the environment.
data_dir = "{data_dir}"
host = "127.0.0.1"
port = 8700
# postgres_dsn = "host=127.0.0.1 port=5432 user=postgres dbname=stockade"
"""


@app.command()
def init(
    data_dir: DataDir = None,
    site: Annotated[list[Path] | None, typer.Option(help="site files to install")] = None,
    config: Annotated[Path, typer.Option(help="settings file to write")] = Path("stockade.toml"),
) -> None:
    """Create the settings file, the data directory and a first admin API key (printed once)."""
    settings = settings_for(data_dir)
    sites = [(path, load_site(path)) for path in site or ()]  # every file checked before anything is written
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not config.exists():
        config.write_text(CONFIG_TEMPLATE.format(data_dir=settings.data_dir), encoding="utf-8")
        console.print(f"wrote {config}")
    for path, s in sites:
        target = settings.data_dir / "sites" / f"{s.site}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        console.print(f"installed site {s.site} -> {target}")
    store = open_store(settings)
    token, record = new_key(("admin",), label="first admin key (stockade init)")
    store.put_key(record)
    store.close()
    console.print(f"data directory: {settings.data_dir}")
    console.print("admin API key (shown once, store it now):")
    console.print(token, style="bold", highlight=False, soft_wrap=True)
    console.print("\nKey scopes (`stockade apikey create --scope S [--site SITE]`; a key bound to a site acts "
                  "for that site only):")
    for scope, what in SCOPE_HELP.items():
        console.print(f"  {scope:8} {what}", highlight=False)
    console.print("The admin key cannot post events or ask for decisions: make an ingest key per device or "
                  "system (`--scope ingest --site SITE --source ID`) and a pep key per door controller.",
                  highlight=False)


class Role(enum.StrEnum):
    all = "all"
    api = "api"
    worker = "worker"


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    accept_damage: Annotated[bool, typer.Option(
        "--accept-damage", help="start even when the ledger check fails; the damaged log is frozen "
        "(signs nothing) and STK-LED-001 raises a critical alert")] = False,
    role: Annotated[Role | None, typer.Option(help="all: the embedded node (default); api or worker: one "
                                              "process of a cluster on NATS JetStream and PostgreSQL "
                                              "(docs/cluster.md)")] = None,
) -> None:
    """Run the node: HTTP API, engine and ledger, until interrupted."""
    from stockade.web.app import create_dashboard

    settings = settings_for(data_dir, host=host, port=port, accept_damage=accept_damage or None,
                            role=None if role is None else role.value)
    _log_to_stderr()
    if settings.role != "all":
        serve_cluster_role(settings)
        return
    if settings.engine is None:  # a server uses both cores: detection in a worker process
        settings = settings.model_copy(update={"engine": "process"})
    node = Node.open(settings)  # a refused ledger check is one line (cli/errors.py), naming what to run
    for damage in node.ledgers.damage.values():
        err.print(f"[red]started with a damaged ledger (--accept-damage):[/red] {damage.line()}",
                  soft_wrap=True, highlight=False)
    console.print(f"serving {', '.join(sorted(node.sites)) or 'no sites yet'} on "
                  f"http://{settings.host}:{settings.port} (dashboard at /ui, API docs at /docs)")
    app = create_dashboard(node, start_node=False)  # the node starts in the background: HTTP answers at once
    config = _server_config(app, settings)
    node.start(background=True)
    try:
        StoppingServer(config).run()
    finally:
        node.stop()
    console.print("stopped: every site's engine snapshotted")


def serve_cluster_role(settings: Settings) -> None:
    """``serve --role api`` (HTTP, publishing to JetStream) or ``--role worker`` (no HTTP), until
    SIGINT or SIGTERM."""
    from stockade.node.roles.api import ApiNode
    from stockade.node.roles.worker import Worker
    from stockade.web.app import create_dashboard

    if not settings.postgres_dsn:
        raise fail(f"--role {settings.role} needs the cluster's PostgreSQL: set postgres_dsn "
                   "(STOCKADE_POSTGRES_DSN or stockade.toml)")
    settings = settings.model_copy(update={"engine": "thread"})
    if settings.role == "worker":
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        worker = Worker(settings)
        console.print(f"worker {worker.id}: NATS {settings.cluster.nats_url}, {settings.cluster.partitions} "
                      f"partitions, lease {settings.cluster.lease_s:g} s")
        worker.run(stop)
        console.print(f"worker {worker.id} stopped: leases released")
        return
    node = ApiNode.open_role(settings)
    console.print(f"API node for {', '.join(sorted(node.sites)) or 'no sites yet'} on "
                  f"http://{settings.host}:{settings.port}, publishing to {settings.cluster.nats_url}")
    app = create_dashboard(node, start_node=False)
    node.start(background=True)
    try:
        StoppingServer(_server_config(app, settings)).run()
    finally:
        node.stop()


class _Stderr(logging.Handler):
    """Writes each record to ``sys.stderr`` as it is then: a stream bound once would outlive a test
    runner's captured one (every later record a "Logging error" with a traceback)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except (OSError, ValueError):  # stderr closed or gone: the log line is lost, never the node
            self.handleError(record)


def _log_to_stderr() -> None:
    """The node's own log (recovery progress, refused snapshots, engine failures) on stderr, once."""
    root = logging.getLogger("stockade")
    if not any(isinstance(h, _Stderr) for h in root.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def _server_config(app: ASGIApp, settings: Settings) -> uvicorn.Config:
    """uvicorn with its C HTTP parser and event loop, named so that a missing one fails at start
    instead of falling back: with h11 and asyncio's loop a decision cost the node 2.3 ms of CPU, with
    httptools and uvloop 1.7 ms, and the idle p99 of ``bench access_http`` fell by a quarter (issue 11.8;
    README, "Access")."""
    return uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                          loop="uvloop", http="httptools")


class StoppingServer(uvicorn.Server):
    """SIGINT or SIGTERM (to the process or its group) stops the server, then the node (which tells its
    engine worker to snapshot and exit), and ``serve`` returns with status 0. uvicorn would re-raise the
    signal after its shutdown: a traceback for Ctrl-C, status -15 for SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


apikey_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")


@apikey_app.command("create")
def apikey_create(
    scope: Annotated[list[str], typer.Option(help=f"scopes: {', '.join(SCOPES)}")],
    site: Annotated[str | None, typer.Option(help="the site the key acts for (required for ingest)")] = None,
    source: Annotated[list[str] | None, typer.Option(help="ingest: a source it posts for (required; repeat)")]
    = None,
    kind: Annotated[list[str] | None, typer.Option(help="ingest: a kind it may send (default: the device "
                                                        "kinds; stock and admin need a source the site "
                                                        "file declares for them)")] = None,
    label: Annotated[str, typer.Option(help="what the key is for")] = "",
    role: Annotated[list[str] | None, typer.Option(help="analyst/admin: a role its holder has, e.g. "
                                                        "security-lead (approves the playbook steps that "
                                                        "name it; repeat)")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a key; the token is printed once and only its hash is stored."""
    settings = settings_for(data_dir)
    try:
        token, record = new_key(tuple(scope), site=site, sources=tuple(source or ()), kinds=tuple(kind or ()),
                                label=label, roles=tuple(role or ()))
        sites = load_sites(settings) if site is not None else {}
    except ValueError as e:
        raise fail(str(e)) from e
    if site is not None and site not in sites:
        raise fail(f"site {site!r} is not installed in {settings.data_dir} "
                   f"(installed: {', '.join(sorted(sites)) or 'none'}); `stockade init --site FILE` installs one")
    _check_binding(record, sites)
    store = open_store(settings)
    store.put_key(record)
    store.close()
    console.print(token, highlight=False, soft_wrap=True)


def _check_binding(record: ApiKeyRecord, sites: dict[str, SiteConfig]) -> None:
    """Fail when an ingest key names a kind none of its sources may send (every such line would be refused)."""
    if record.site is not None and (problem := binding_problem(record, sites[record.site])) is not None:
        raise fail(problem)


@apikey_app.command("list")
def apikey_list(data_dir: DataDir = None) -> None:
    """List keys (never their secrets)."""
    store = open_store(settings_for(data_dir))
    for k in store.list_keys():
        state = "revoked" if k.revoked else "active"
        binding = (f" sources={','.join(k.sources) or '(none)'} kinds={','.join(k.kinds) or 'device kinds'}"
                   if "ingest" in k.scopes else "")
        binding += f" roles={','.join(k.roles)}" if k.roles else ""
        console.print(f"{k.key_id}  {state:8} {','.join(k.scopes):20} site={k.site or '*'}{binding}  {k.label}",
                      highlight=False)
    store.close()


@apikey_app.command("revoke")
def apikey_revoke(key_id: str, data_dir: DataDir = None) -> None:
    """Revoke a key: it answers 401 from then on."""
    store = open_store(settings_for(data_dir))
    record = store.get_key(key_id)
    if record is None:
        store.close()
        raise fail(f"no key {key_id!r}")
    store.put_key(revoked(record))
    store.close()
    console.print(f"revoked {key_id}")
