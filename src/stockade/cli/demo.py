"""``stockade demo``: a server with the demo site, fed a simulated day and night, accelerated.

What it does, in order: prepares a fresh demo data directory, simulates
``examples/demo/demo-day.yaml`` (moved to a past weekday), starts the API on
127.0.0.1, streams the events to ``POST /v1/events`` at the chosen speed, and
prints alerts and incidents as the engine raises them. At the end it prints a
summary — and, in a terminal, keeps serving until Ctrl-C so the API and the
dashboard can be explored with the printed key.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated

import httpx
import msgspec
import typer
import uvicorn
import yaml

from stockade.cli import demo_mqtt
from stockade.cli.app import app
from stockade.cli.common import console, fail
from stockade.cli.demo_response import LEAD_ROLE, NightDesk, response_summary
from stockade.events import Alert, Envelope, Incident
from stockade.events.model import SEVERITIES
from stockade.inventory.reconcile import reconcile
from stockade.ledger.log import ledger_dir
from stockade.ledger.source import DirSource
from stockade.ledger.verify import verify_log
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from stockade.reports.inventory import stock_and_tags
from stockade.response.portset import Ports, Recording
from stockade.sim.doors import SimulatedDoors
from stockade.sim.errors import ScenarioError
from stockade.sim.eventtime import EventClock, on_event_time
from stockade.sim.run import ListSink, simulate
from stockade.sim.scenario import Scenario, load_scenario
from stockade.store import EventQuery
from stockade.web.app import create_dashboard

ROOT = Path(__file__).resolve().parents[3]
DEMO_SCENARIO = ROOT / "examples" / "demo" / "demo-day.yaml"
MARKER = ".stockade-demo"
COLOURS = {"info": "dim", "low": "cyan", "medium": "yellow", "high": "bold red", "critical": "bold white on red"}


def _past_weekday_start(scenario: Scenario) -> Scenario:
    """The scenario at its own start once that has ended two days ago — so every run prints the same
    (the README shows it, a test checks it) — else moved back by whole weeks until it has: the
    weekday, and with it the rota, stay the same."""
    tz = scenario.site.tz
    start = scenario.model.start.astimezone(tz)
    latest_end = datetime.now(tz) - timedelta(days=2)
    while start + timedelta(seconds=scenario.duration_s) > latest_end:
        start -= timedelta(days=7)
    return Scenario(scenario.model.model_copy(update={"start": start}), scenario.site, scenario.path)


def _fresh_dir(path: Path) -> None:
    if path.exists():
        if not (path / MARKER).exists():
            raise fail(f"{path} exists and is not a demo directory; choose another --data-dir")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("created by `stockade demo`; deleted by the next demo run\n", encoding="utf-8")


def _port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
        except OSError:
            s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def local_time(ts: datetime, tz: tzinfo) -> str:
    """A time as the feed shows it: the site's local time with its offset ("11-16 07:02:29+01:00"),
    the same clock as the "at 07:02" in the summaries beside it."""
    t = ts.astimezone(tz)
    return f"{t:%m-%d %H:%M:%S}{t.isoformat()[-6:]}"


def path_hint(executable: Path | None = None) -> str | None:
    """How to type ``stockade`` in this shell, when the one running is not on the PATH (``make demo``
    runs ``.venv/bin/stockade``); None when it is."""
    bindir = (executable or Path(sys.executable)).parent
    found = shutil.which("stockade")
    if found is not None and Path(found).parent.resolve() == bindir.resolve():
        return None
    activate = bindir / "activate"
    if not activate.exists():
        return f"`stockade` is {bindir / 'stockade'}: put {bindir} on the PATH to type `stockade`"
    shown = Path(os.path.relpath(activate)) if activate.is_relative_to(Path.cwd()) else activate
    return f"To type `stockade` in this shell: source {shown}  (or call {shown.parent / 'stockade'})"


def _line(event: Envelope, tz: tzinfo) -> str | None:
    when = local_time(event.ts, tz)
    if isinstance(event, Alert):
        colour = COLOURS[event.severity]
        return f"{when} [{colour}]{event.severity:8}[/] alert    {event.detector:12} {event.summary}"
    if isinstance(event, Incident):
        colour = COLOURS[event.severity]
        return (f"{when} [{colour}]{event.severity:8}[/] [bold]incident[/] {event.pattern:12} "
                f"{event.incident} ({len(event.alerts)} alerts): {event.summary}")
    return None


@app.command()
def demo(
    headless: Annotated[bool, typer.Option(help="no live feed; run to the end and print a summary")] = False,
    duration: Annotated[float, typer.Option(help="wall-clock seconds for the stream (0: no pacing)")] = 150,
    data_dir: Annotated[Path, typer.Option(help="demo data directory (recreated each run)")] = Path("stockade-demo"),
    port: Annotated[int, typer.Option(help="port for the API (another is chosen if taken)")] = 8700,
    scenario_file: Annotated[Path, typer.Option("--scenario", help="scenario to stream")] = DEMO_SCENARIO,
    mqtt: Annotated[bool, typer.Option(help="devices, a simulated Frigate and door controllers publish over "
                                       "MQTT to the local broker instead of HTTP (docs/connectors.md)")] = False,
    mqtt_port: Annotated[int, typer.Option(help="port of the local MQTT broker, with --mqtt")] = 1883,
) -> None:
    """Start a server with the demo site and stream a simulated day and night with attacks into it."""
    try:
        scenario = _past_weekday_start(load_scenario(scenario_file))
    except ScenarioError as e:
        raise fail(str(e)) from e
    _fresh_dir(data_dir)
    sink = ListSink()
    result = simulate(scenario, sink)
    events = sink.events
    (data_dir / "sites").mkdir()
    site_dump = result.site.model_dump(mode="json", exclude_none=True)
    topics = demo_mqtt.Topics.unique() if mqtt else None
    if topics is not None:
        site_dump = demo_mqtt.with_frigate(site_dump)
    site_yaml = yaml.safe_dump(site_dump, sort_keys=False)
    (data_dir / "sites" / f"{result.site.site}.yaml").write_text(site_yaml, encoding="utf-8")
    site_id = result.site.site
    sources = tuple(sorted({e.source for e in events}))
    kinds = tuple(sorted({e.kind for e in events}))
    connectors = {} if topics is None else demo_mqtt.connector_settings(result.site, topics, mqtt_port, sources,
                                                                                  kinds)
    # plain demo: playbooks on the night's event time, simulated door controllers behind the door-control
    # port, the other ports recording; --mqtt: the connectors' ports, on the wall clock (not yet event time)
    clock = EventClock(events[0].ts if events else datetime.now().astimezone())
    desk: NightDesk | None = None
    ports: Ports | None = None
    if topics is None:
        recording = Recording()
        doors = SimulatedDoors(lambda evs: desk.report(evs) if desk is not None else None, clock)
        ports = Ports(door_control=doors, flow_control=recording, notifier=recording, evidence_store=recording)
    node = Node.open(Settings(data_dir=data_dir, engine="process", connectors=connectors), ports=ports)
    if topics is None:
        on_event_time(node, clock)
        desk = NightDesk(node, site_id, clock, doors)
    admin, admin_record = new_key(("admin",), label="demo admin")
    ingest, ingest_record = new_key(("ingest",), site=site_id, sources=sources,
                                    kinds=kinds, label="demo feed")
    pep, pep_record = new_key(("pep",), site=site_id, label="demo door controllers")
    lead, lead_record = new_key(("analyst",), site=site_id, label="demo security lead", roles=(LEAD_ROLE,))
    door_ids = tuple(sorted(d.id for d in result.site.doors))
    controllers, controllers_record = new_key(("ingest",), site=site_id, sources=door_ids, kinds=("door",),
                                              label="demo door controllers (lock reports)")
    for record in (admin_record, ingest_record, pep_record, lead_record, controllers_record):
        node.store.put_key(record)
    port = _port(port)
    server = uvicorn.Server(uvicorn.Config(create_dashboard(node), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="stockade-api", daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    if desk is not None:
        desk.connect(url, lead, controllers)
        doors.start()
    console.print(f"[bold]Stockade demo[/] — {result.site.name}: {len(events):,} simulated events "
                  f"from {scenario.model.start:%a %d %b %H:%M} over {scenario.model.duration}, "
                  f"{len(result.labels)} attacks hidden in them")
    console.print(f"API {url}/docs — keys, one per job (send as Authorization: Bearer KEY):")
    for name, token, what in (
        ("admin", admin, f"read everything, set threat levels, admin changes (POST /v1/admin/{site_id}/events); "
                         "cannot post events or ask for decisions"),
        ("ingest", ingest, f"post events (POST /v1/events) as any of {site_id}'s {len(sources)} simulated "
                           "devices and systems; the demo streams with it"),
        ("pep", pep, f"door controllers asking for access decisions (POST /v1/access/decide) at {site_id}"),
        ("lead", lead, f"an analyst with the {LEAD_ROLE} role: works incidents, approves playbook steps "
                       "(POST /v1/incidents/…/approve)"
                       + ("; the demo approves the night's lockdown with it" if desk is not None else "")),
    ):
        console.print(f"  {name:6} [bold]{token}[/]  {what}", highlight=False, soft_wrap=True)
    console.print(f"Dashboard {url}/ui/ — sign in with the lead key to work incidents and approve steps, the "
                  "admin key to manage keys", highlight=False)
    started = time.monotonic()
    feed = Feed(node, result.site.site, quiet=headless)
    if topics is not None and events:
        stream = demo_mqtt.MqttStream(node, node.sites[result.site.site], topics, mqtt_port)
        stream.start(events[0].ts)
        _stream(events, url, ingest, feed, duration, send=stream.publish)
        _wait_for_engine(node, result.site.site)
        stream.lockdown(url)
        stream.stop()
    else:
        _stream(events, url, ingest, feed, duration, after=desk.advance if desk is not None else None)
    _wait_for_engine(node, result.site.site)
    feed.show_new()
    _summary(node, result.site.site, len(events), time.monotonic() - started)
    if desk is not None:
        response_summary(node, site_id, desk, data_dir)
    if (hint := path_hint()) is not None:
        console.print(hint, highlight=False, soft_wrap=True)
    if not headless and sys.stdin.isatty():
        console.print(f"\nStill serving at {url} (keys above). Ctrl-C to stop.")
        try:
            while thread.is_alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    server.should_exit = True
    thread.join(timeout=10)
    if desk is not None:
        doors.stop()
        desk.close()


_STEP = 60.0  # event-time seconds a batch may span when the night desk follows the stream


def _stream(events: list[Envelope], url: str, key: str, feed: Feed, duration: float,
            send: Callable[[list[Envelope]], None] | None = None,
            after: Callable[[datetime], None] | None = None) -> None:
    """POST the events in event-time order, paced so the whole stream takes ``duration`` seconds
    (or hand each batch to ``send``: ``--mqtt``). With ``after`` (the night desk), a batch spans at
    most a minute of event time and ``after`` gets its last event's time once it is posted."""
    if not events:
        return
    t0 = events[0].ts
    span = max((events[-1].ts - t0).total_seconds(), 1.0)
    speed = span / duration if duration > 0 else float("inf")
    encoder = msgspec.json.Encoder()
    wall0 = time.monotonic()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        batch: list[Envelope] = []
        for event in events:
            if after is not None and batch and (event.ts - batch[0].ts).total_seconds() > _STEP:
                _post(client, encoder, batch)
                after(batch[-1].ts)
                batch = []
            batch.append(event)
            due = (event.ts - t0).total_seconds() / speed
            if len(batch) >= 1000 or due - (time.monotonic() - wall0) > 0.2:
                send(batch) if send is not None else _post(client, encoder, batch)
                if after is not None:
                    after(batch[-1].ts)
                batch = []
                feed.show_new()
                wait = due - (time.monotonic() - wall0)
                if wait > 0:
                    time.sleep(min(wait, 2.0))
        send(batch) if send is not None else _post(client, encoder, batch)
        if after is not None and batch:
            after(batch[-1].ts)


def _post(client: httpx.Client, encoder: msgspec.json.Encoder, batch: list[Envelope]) -> None:
    if not batch:
        return
    r = client.post("/v1/events", content=encoder.encode_lines(batch))
    r.raise_for_status()
    rejected = [x for x in r.json()["results"] if x["status"] == "rejected"]
    for x in rejected[:3]:
        console.print(f"[red]rejected[/] line {x['line']}: {x.get('field')}: {x.get('reason')}")


class Feed:
    """Prints the alerts and incidents the engine has written since the last call."""

    def __init__(self, node: Node, site: str, quiet: bool) -> None:
        self.node, self.site, self.quiet = node, site, quiet
        self.tz = node.sites[site].tz
        self.after = 0

    def show_new(self) -> None:
        rows = self.node.store.query(
            EventQuery(self.site, kinds=("alert", "incident"), after_seq=self.after, limit=10_000))
        for row in rows:
            self.after = row.seq
            if not self.quiet and (text := _line(row.event, self.tz)) is not None:
                console.print(text, highlight=False)


def _wait_for_engine(node: Node, site: str, timeout: float = 120) -> None:
    if not node.wait_for_engine(site, timeout):
        console.print(f"[yellow]the engine had not caught up after {timeout:.0f} s[/]")


def _summary(node: Node, site: str, sent: int, wall_s: float) -> None:
    rows = node.store.query(EventQuery(site, kinds=("alert", "incident"), limit=100_000))
    alerts = Counter(r.event.detector for r in rows if isinstance(r.event, Alert))
    latest: dict[str, Incident] = {}
    for r in rows:
        if isinstance(r.event, Incident):
            latest[r.event.incident] = r.event
    node.ledgers.checkpoint_all()
    log = node.ledgers.logs[site]
    report = verify_log(DirSource(ledger_dir(node.settings.data_dir, site)),
                        node.ledgers.keys.verifiers(log.origin))
    console.print(f"\n[bold]Summary[/] — {sent:,} events streamed in {wall_s:.0f} s; "
                  f"log of {node.store.last_seq(site):,} entries")
    console.print(f"alerts: {sum(alerts.values())} — " + ", ".join(f"{d} ×{n}" for d, n in alerts.most_common()))
    by_severity = sorted(latest.values(), key=lambda i: -SEVERITIES.index(i.severity))
    console.print(f"incidents: {len(latest)}")
    for inc in by_severity:
        console.print(f"  [{COLOURS[inc.severity]}]{inc.severity:8}[/] {inc.pattern:28} {inc.incident}: "
                      f"{inc.summary}", highlight=False)
    _inventory(node, site)
    console.print(f"ledger: {report.size:,} entries, root {report.root.hex()[:16]}…, "
                  f"checkpoint signed by {', '.join(sorted(set(report.cosigners))) or log.origin}, "
                  "every tile verified")


def _inventory(node: Node, site: str) -> None:
    """What reconciliation finds in the night: the items that left without a transaction, by where
    the WMS has them and where they were last read (docs/inventory.md)."""
    result = reconcile(node.sites[site], stock_and_tags(node.store, site))
    gone = Counter((d.expected_zone, d.seen_zone) for d in result.differences if d.explained is None)
    value = sum(d.value for d in result.differences if d.explained is None)
    console.print(f"inventory: {int(result.totals.get('expected', 0)):,} items expected, "
                  f"{int(result.totals.get('unexplained', 0))} unexplained differences (value {value:,.2f})")
    for (expected, seen), n in gone.most_common():
        console.print(f"  {n} item(s) the WMS has in {expected or 'no zone'}, last read in {seen or 'none'}",
                      highlight=False)
