"""A running Stockade node, built from :class:`Settings`.

    >>> node = Node.open(Settings(data_dir=tmp))       # doctest: +SKIP
    >>> node.start()                                    # engine loop + checkpoints in the background  # doctest: +SKIP
    >>> report = node.ingestor.ingest_body(body, Principal.operator())  # doctest: +SKIP
    >>> node.stop()  # doctest: +SKIP

Start-up resumes each site's engine from its last snapshot and replays the
log's tail, so a crash loses nothing the store acknowledged. ``start`` does
that in the background (``node.recovery`` has the progress ``/healthz``
reports); ``recover`` does it in the caller's thread.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from stockade.errors import StockadeError
from stockade.events import Envelope
from stockade.events.decode import decode_stored
from stockade.ledger.seal import load_or_create_row_seal
from stockade.node.access import build_access, replay_access
from stockade.node.access_snapshot import AccessSnapshots
from stockade.node.broadcast import Broadcaster
from stockade.node.connectors import Connectors
from stockade.node.engine_process import EngineProcess
from stockade.node.engines import EngineRunner, InThreadEngine
from stockade.node.evidence import EvidenceBuilder
from stockade.node.executor import Executor
from stockade.node.incidents import IncidentDesk, milestones
from stockade.node.ingest import Ingestor
from stockade.node.ledger_watch import LedgerWatch, open_checked_ledgers
from stockade.node.ledgers import DeviceSignatures, WitnessCosigning
from stockade.node.live import LiveView
from stockade.node.lock import DataDirLock
from stockade.node.metrics import NodeMetrics
from stockade.node.periodic import Periodic
from stockade.node.recovery import Recovery, recover_engines
from stockade.node.response import Response
from stockade.node.roles.parts import RoleParts
from stockade.node.settings import Settings
from stockade.node.stores import store_target
from stockade.pipeline.bus import InProcessBus
from stockade.response.execute import Carrier
from stockade.response.playbook import DEFAULT_DIR, PlaybookSet
from stockade.response.portset import Ports
from stockade.site import SiteConfig, load_site
from stockade.store import Store
from stockade.store.incidents import IncidentProjection

log = logging.getLogger(__name__)
_decode = decode_stored


def open_store(settings: Settings) -> Store:
    """The store, sealing each row it writes with the node's key (``stockade.ledger.seal``)."""
    seal = load_or_create_row_seal(settings.data_dir / "keys")
    if settings.postgres_dsn:
        from stockade.store.postgres import PostgresStore

        return PostgresStore.open(settings.postgres_dsn, seal=seal)
    from stockade.store.sqlite import SqliteStore

    return SqliteStore.open(settings.data_dir, synchronous=settings.sqlite_synchronous, seal=seal)


def site_files(settings: Settings) -> list[Path]:
    """Site files installed in the data directory, then those the settings name."""
    installed = sorted((settings.data_dir / "sites").glob("*.yaml"))
    return installed + [p for p in settings.sites if p not in installed]


def load_sites(settings: Settings) -> dict[str, SiteConfig]:
    sites: dict[str, SiteConfig] = {}
    for path in site_files(settings):
        site = load_site(path)
        sites[site.site] = site
    return sites


class Node:
    def __init__(self, settings: Settings, store: Store, sites: dict[str, SiteConfig],
                 lock: DataDirLock | None = None, *, ports: Ports | None = None,
                 parts: RoleParts | None = None) -> None:
        parts = parts or RoleParts()  # the embedded node's; a cluster role injects its own (node/roles/)
        self.settings = settings
        self._lock = lock
        self.store = store
        self.sites = sites
        self.bus = InProcessBus(store)  # bounded: past it, the engine reads the committed log
        self.metrics = NodeMetrics(self.bus.depth)
        self.broadcast = Broadcaster()
        self.incidents = IncidentProjection(store)
        self.live = LiveView(sites, store)
        self.ledgers = open_checked_ledgers(settings, sites if parts.keeps_ledgers else {}, store, parts.tiles)
        self.ingestor = Ingestor(
            store, sites, self.bus, self.ledgers,
            check_signature=DeviceSignatures(settings.data_dir / "devices.json"),
            max_future=timedelta(seconds=settings.max_future_s), on_committed=self._committed,
            on_late=lambda site, n: self.metrics.late_events.labels(site).inc(n), sequencer=parts.sequencer,
            forward=parts.forward,
        )
        self.engine: EngineRunner
        if settings.engine == "process":
            self.engine = EngineProcess(sites, store, settings.snapshot_every, self._write_output_entries,
                                        lambda site: self.metrics.engine_errors.labels(site).inc(),
                                        store_target(settings))
        else:
            self.engine = InThreadEngine(sites, self._write_outputs, store, settings.snapshot_every)
        self.desk = IncidentDesk(self.incidents, self._write_outputs)
        self.access = build_access(sites, settings.policy_dir, self.engine, self._write_outputs)
        # a node that commits its sites' logs saves their decision points, so a restart folds only the tail
        self.access_snapshots = None if parts.forward is not None else AccessSnapshots(
            self.access, store, load_or_create_row_seal(settings.data_dir / "keys"), every=settings.snapshot_every)
        self.connectors = Connectors.build(self)  # started with the node (serve, demo), not by one-shot commands
        self.ports = self.connectors.use_ports(ports, drill=settings.drill)
        self.evidence = EvidenceBuilder(store, self.ledgers, self._write_outputs, settings.data_dir / "evidence",
                                        self.ports.evidence_store)
        self.executor = Executor(Carrier(self.ports, self._write_outputs, store.get_incident,
                                         set_threat=self._set_threat, capture=self.evidence), store)
        self.response = Response(sites, PlaybookSet(settings.playbook_dir or DEFAULT_DIR), store, self.executor,
                                 drill=settings.drill)
        self._periodic = [
            Periodic("response-ticks", 1.0, self.response.tick),
            Periodic("playbook-reload", 2.0, self.response.reload_if_changed),
            Periodic("checkpoints", settings.checkpoint_interval_s, self._checkpoint),
            Periodic("policy-reload", 2.0, self.access.reload_policies_if_changed),
            Periodic("witnesses", settings.witness_interval_s,
                     WitnessCosigning(self.ledgers, settings.data_dir / "witnesses.json")),
        ]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.recovery = Recovery()
        self.serving = threading.Event()  # set once the access facts are rebuilt: requests are taken
        self.ledger_watch = LedgerWatch(self.ledgers, settings.ledger_audit_interval_s, self._write_outputs)

    @classmethod
    def open(cls, settings: Settings, *, ports: Ports | None = None) -> Node:
        """Take the data directory (one writer process at a time) and open everything in it."""
        lock = DataDirLock.acquire(settings.data_dir)
        try:
            store = open_store(settings)
        except BaseException:
            lock.release()
            raise
        try:
            return cls(settings, store, load_sites(settings), lock, ports=ports)
        except BaseException:  # a refused ledger check, say: close what was opened
            store.close()
            lock.release()
            raise

    # --- wiring --------------------------------------------------------------

    def _committed(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        self.access.observe_committed(site, events)
        changes = self.incidents.observe(site, events)
        for changed in changes:
            for measure, seconds in milestones(changed).items():
                self.metrics.incident_times[measure].labels(site, changed.after.pattern).observe(seconds)
        self.response.observe(site, changes, events)
        self.live.apply(site, events)
        self.broadcast.publish(site, events)

    def _write_outputs(self, site: str, outputs: Sequence[Envelope]) -> None:
        self.ingestor.write_outputs(site, outputs)
        for out in outputs:
            self.metrics.outputs.labels(site, out.kind).inc()

    def _set_threat(self, site: str, zone: str, level: str, actor: str, at: datetime) -> None:
        """A lockdown step's threat level, through the access decision point's threat levels."""
        if level in ("elevated", "lockdown"):
            self.access.set_threat(site, "lockdown" if level == "lockdown" else "elevated", actor=actor,
                                   at=at, zone=zone)

    def _write_output_entries(self, site: str, entries: Sequence[bytes]) -> None:
        """Outputs from an engine in another process arrive as log entries."""
        self._write_outputs(site, [_decode(entry) for entry in entries])

    def _checkpoint(self) -> None:
        """Every interval: Stockade's own recent commits to disk, then a signed checkpoint per site."""
        self.store.sync()
        self.ledgers.checkpoint_all()
        self._snapshot_access()

    def _snapshot_access(self, every: int | None = None) -> None:
        """Save the decision points due (``every``: positions folded since the last; default the
        settings' period), once their facts are the log's fold."""
        if self.access_snapshots is not None and self.serving.is_set():
            self.access_snapshots.save_due(self.ingestor.sequencer.hold, every=every)

    # --- lifecycle -----------------------------------------------------------

    def recover(self) -> int:
        """Rebuild the access facts, resume every site's engine from its snapshot and replay the log's
        tail into it and into the entity index (both are projections of the log). The desk's picture
        is left to its first look (:class:`~stockade.node.live.LiveView` rebuilds it from the log
        then): a one-shot command takes none, and replaying it cost 1.6 s at 200,000 events. The
        audit that releases signing runs beside the recovery and the command's work, not at its stop."""
        self.ledgers.audit_opened_behind()
        self._recover_access()
        return self._recover_engines()

    def _recover_access(self) -> None:
        for site in self.sites:
            last = self.store.last_seq(site)
            self.recovery.begin(site, last)
            started = time.monotonic()
            after = self.access_snapshots.restore(site, last) if self.access_snapshots is not None else 0
            facts = replay_access(self.access, self.store, site, functools.partial(self.recovery.advance, site),
                                  after=after)
            if facts or after:
                log.info("%s: access facts rebuilt from %s %d events of the log in %.1f s", site,
                         f"the snapshot at {after} and" if after else "the whole log,", facts,
                         time.monotonic() - started)
            self.incidents.catch_up(site)
        self.serving.set()

    def _recover_engines(self) -> int:
        replayed = recover_engines(self.sites, self.store, self.engine, self._project, self.recovery, self._stop)
        self.recovery.finish()
        return replayed

    def _project(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> int:
        """Apply committed events to the engine and the entity index."""
        if not events:
            return 0
        if not self.engine.indexes_entities:
            self.store.index_entities(site, events)
        self.engine.submit(site, events, entries)
        return len(events)

    def start(self, *, background: bool = False) -> None:
        """Rebuild the access facts (doors decide on them) and the incident projection, start incident
        response, then recover the engines in the background and let them take the bus (what arrived
        meanwhile waits on it). With ``background``, the access facts too are rebuilt in that thread:
        until ``serving`` is set the API answers only ``/healthz`` (``stockade serve`` listens at once)."""
        if not background:
            self._recover_access()
            self.response.start()
        worker = threading.Thread(target=self._run_engine, args=(background,), name="stockade-engine",
                                  daemon=True)
        worker.start()
        self._threads.append(worker)
        for job in self._periodic:
            job.start()
        # evidence bundles prove against the periodic checkpoint instead of each signing its own
        self.evidence.checkpoint_wait_s = 1.5 * self.settings.checkpoint_interval_s
        self.ledger_watch.start()
        self.connectors.start()

    def _run_engine(self, access_first: bool = False) -> None:
        try:
            if access_first:
                self._recover_access()
                self.response.start()
            self._recover_engines()
            for site in self.sites:  # a serving node's picture, ready for the desk: after doors and detection
                self.live.replay(site)  # (a look before it rebuilds it)
        except Exception as e:  # said on /healthz and in the log; ingest goes on
            log.exception("recovery of the engines failed; detection is not running")
            self.recovery.fail(f"recovery failed: {e}")
            return
        while not self._stop.is_set():
            delivery = self.bus.get(timeout=0.1)
            if delivery is None:
                continue
            try:
                self._project(delivery.site, delivery.events, delivery.entries)
            except Exception:  # one bad batch must not stop detection for every site
                self.metrics.engine_errors.labels(delivery.site).inc()
                log.exception("engine failed on %s events %d..%d; continuing", delivery.site,
                              delivery.events[0][0], delivery.events[-1][0])

    def drain(self) -> int:
        """Apply everything waiting on the bus now (for the CLI and tests; no thread needed)."""
        n = 0
        while (delivery := self.bus.get(timeout=0.0)) is not None:
            n += self._project(delivery.site, delivery.events, delivery.entries)
        return n

    def wait_for_engine(self, site: str, timeout: float = 30.0) -> bool:
        """Wait until the engine has applied everything the site's log holds now, and the entity index
        has filed it (a worker files it after applying, a group of batches at a time)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._threads:  # not started: nobody else takes deliveries off the bus
                self.drain()
            target = self.store.last_seq(site)
            if (self.bus.depth() == 0 and self.engine.wait_applied(site, target, 0.05)
                    and self.store.last_seq(site) == target and self.store.indexed_seq(site) >= target):
                return True
            time.sleep(0.005)
        return False

    def stop(self) -> None:
        self.connectors.stop()
        self._stop.set()
        self.ledger_watch.stop()
        for t in self._threads:
            t.join(timeout=5)
        try:
            self.engine.stop()
        except StockadeError:  # a final snapshot refused (store down, a worker fenced out): replayed instead
            log.exception("the engine's final snapshots were not all written")
        for job in self._periodic:
            job.stop()
        self.response.stop()
        try:
            self._snapshot_access(every=1)
        except StockadeError:  # the store refused it: the next start folds the log instead
            log.exception("the access snapshots were not all written")
        self.store.close()
        if self._lock is not None:
            self._lock.release()
