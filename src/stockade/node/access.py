"""The node's access service: the decision point wired to the engine's risk and the log.

    >>> access = build_access(sites, settings.policy_dir, engine, ingestor.write_outputs)   # doctest: +SKIP

Decisions and threat-level changes are appended to the site's log (and so
reach the engine); the decision point's facts are a fold over the log, replayed
at start and fed with every committed event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from stockade.access.pack import DEFAULT_POLICY_DIR, PolicyStore
from stockade.access.service import FACT_KINDS, AccessService
from stockade.events import Envelope
from stockade.node.engines import EngineRunner
from stockade.site import SiteConfig
from stockade.store import EventQuery, Store


class EngineRisk:
    """A site's risk scores as the access decision point reads them: at the engine's event time."""

    def __init__(self, engine: EngineRunner, site: str) -> None:
        self._engine = engine
        self._site = site

    def score(self, entity_type: str, entity_id: str) -> float:
        risk, now = self._engine.risk(self._site)
        if risk is None or now is None:
            return 0.0
        return risk.score(entity_type, entity_id, now)


def build_access(
    sites: Mapping[str, SiteConfig], policy_dir: str | None, engine: EngineRunner,
    log: Callable[[str, Sequence[Envelope]], None],
) -> AccessService:
    return AccessService(
        sites, PolicyStore(policy_dir or DEFAULT_POLICY_DIR), log=log,
        risk_for=lambda site: EngineRisk(engine, site),
    )


def replay_access(access: AccessService, store: Store, site: str,
                  progress: Callable[[int], None] | None = None, *, after: int = 0) -> int:
    """Rebuild a site's access facts and threat levels from its log after position ``after`` (0: the
    whole log; else where its snapshot was taken, :mod:`stockade.node.access_snapshot`); ``progress``
    is told the log position reached after each page. The decision point's position is then the log's last."""
    n = 0
    while rows := store.query(EventQuery(site, kinds=tuple(sorted(FACT_KINDS)), after_seq=after, limit=10_000)):
        n += access.replay(site, (row.event for row in rows))
        after = rows[-1].seq
        if progress is not None:
            progress(after)
    access.positions[site] = max(access.positions[site], store.last_seq(site))
    return n
