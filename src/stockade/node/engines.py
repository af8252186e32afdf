"""Where a node's engine runs: in a thread of the node (one core), or in a worker process.

Both take committed batches in site order, apply ``step`` on event time, hand
their outputs (alerts, incidents) to the node to append to the log, snapshot
every ``snapshot_every`` events, and let the access decision point read the
site's risk scores.

* :class:`InThreadEngine` applies each batch in the node's engine thread: for
  one-shot commands (``stockade ingest``) and the tests.
* :class:`~stockade.node.engine_process.EngineProcess` runs the same
  :class:`~stockade.pipeline.loop.EngineLoop` in a worker process, so detection
  uses the second core while the node's process ingests (Python runs one thread
  at a time). ``stockade serve`` and the demo use it.

    >>> engine = InThreadEngine(sites, sink, store, snapshot_every=50_000)   # doctest: +SKIP
    >>> engine.resume("dc-demo").seq    # the log position its snapshot covers  # doctest: +SKIP
    >>> engine.submit("dc-demo", [(seq, event)], [entry])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from stockade.engine.engine import RiskModel
from stockade.events import Envelope
from stockade.node.protocol import Resumed
from stockade.pipeline.build import build_engine
from stockade.pipeline.loop import EngineLoop, OutputSink, Snapshots
from stockade.site import SiteConfig


class EngineRunner(Protocol):
    alive: bool
    """False once the engine cannot run any more (its worker process died)."""
    indexes_entities: bool
    """Whether the runner keeps the store's entity index itself (else the node does)."""

    def resume(self, site: str) -> Resumed:
        """Load the site's engine from its snapshot: the log position it covers (0 when the snapshot
        is missing or refused, and then why it was refused)."""
        ...

    def submit(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> None:
        """Hand over committed events (and their entries) in site order."""
        ...

    def applied(self, site: str) -> int:
        """The last log position the engine has applied."""
        ...

    def wait_applied(self, site: str, seq: int, timeout: float) -> bool:
        """Wait until the engine has applied ``seq``; False on timeout."""
        ...

    def risk(self, site: str) -> tuple[RiskModel | None, datetime | None]:
        """The site's risk model and the event time to read it at."""
        ...

    def stop(self) -> None:
        """Snapshot every site's engine and stop."""
        ...


class InThreadEngine:
    indexes_entities = False

    def __init__(self, sites: Mapping[str, SiteConfig], sink: OutputSink, snapshots: Snapshots,
                 snapshot_every: int) -> None:
        self.loop = EngineLoop(sites, build_engine, sink, snapshots, snapshot_every)
        self.alive = True

    def resume(self, site: str) -> Resumed:
        self.loop.engine(site)
        return Resumed(site, self.loop.last_seq[site], refused=self.loop.refused.get(site))

    def submit(self, site: str, events: Sequence[tuple[int, Envelope]], entries: Sequence[bytes]) -> None:
        for seq, event in events:
            self.loop.apply(site, seq, event)

    def applied(self, site: str) -> int:
        return self.loop.last_seq.get(site, 0)

    def wait_applied(self, site: str, seq: int, timeout: float) -> bool:
        return self.applied(site) >= seq

    def risk(self, site: str) -> tuple[RiskModel | None, datetime | None]:
        engine = self.loop.engine(site)
        return engine.risk, engine.state.now

    def stop(self) -> None:
        for site in self.loop.engines:
            self.loop.snapshot(site)
