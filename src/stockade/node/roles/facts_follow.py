"""An API node's access facts: the owners' typed snapshots, loaded whole; stale ones are a deny.

    >>> follower = FactsFollower(node.access, settings.cluster)            # doctest: +SKIP
    >>> node.access.untrusted = follower.untrusted                          # doctest: +SKIP
    >>> link.spawn(FactsBucket(link, settings.cluster).follow(follower.on_entry, stop))  # doctest: +SKIP

Each :class:`~stockade.node.roles.facts.SiteFacts` from the facts bucket
replaces, all at once, the facts, threat levels and risk scores of the site's
decision point (:meth:`~stockade.access.pdp.DecisionPoint.adopt`); the pack is
this node's own, loaded from the same policy files as every node's.

**Staleness.** A site's facts are trusted while the owner's word on them is
recent: the facts themselves, or a :class:`~stockade.node.roles.facts.FactsBeat`
naming the revision held, came less than ``facts_max_age_s`` ago. "Ago" is
this node's monotonic clock between arrivals of the owner's messages, so no
two machines' clocks are compared, and a quiet site stays fresh because its
owner beats every quarter of the bound. Only what the owner wrote after this
node began to watch counts as its word: facts found in the bucket at start
(perhaps a dead owner's) are loaded but trusted only once a new beat names them. No facts yet, or the bound passed
(the owner dead, stalled, cut off from NATS, or its facts not written): every
decision of the site is a logged ``deny`` by ``stockade:stale-facts``, with a
reason naming the owner, the position and the age (:meth:`untrusted`).

A threat level set through this node (:meth:`threat_logged`) stays in force
over the owner's facts until they include it (its log position, learnt from
``stk.out.<site>``, is at most theirs): older facts arriving meanwhile never
lift a lockdown set here.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import msgspec

from stockade.access.facts import Facts
from stockade.access.service import AccessService
from stockade.access.threat import ThreatLevels
from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.mapping import beat_key, facts_key, site_of_key
from stockade.engine.risk import RiskModel
from stockade.events.model import Admin
from stockade.node.roles.facts import FactsBeat, SiteFacts, decode

log = logging.getLogger(__name__)


class RiskAt:
    """The owner's risk scores, read at the owner's engine time (as the embedded node reads its own)."""

    def __init__(self, model: RiskModel, now: datetime | None) -> None:
        self.model = model
        self.now = now

    def score(self, entity_type: str, entity_id: str) -> float:
        now = self.now
        return 0.0 if now is None else self.model.score(entity_type, entity_id, now)


@dataclass
class Held:
    """What this node holds of a site's facts, and when the owner last vouched for them."""

    revision: int
    worker: str
    seq: int
    applied: int
    vouched: float  # monotonic time of the owner's last word on these facts
    risk: RiskAt


@dataclass
class Pending:
    """A threat-level change made through this node, until the owner's facts include it."""

    event: Admin
    until: float  # monotonic: dropped after this if its log position never came
    seq: int | None = None


class FactsFollower:
    def __init__(self, access: AccessService, settings: ClusterSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._access = access
        self.max_age_s = settings.facts_max_age_s
        self._clock = clock
        self.held: dict[str, Held] = {}
        self._pending: dict[str, list[Pending]] = {}
        self._pending_guard = threading.Lock()  # request threads add, the link's loop reads and prunes

    async def on_entry(self, key: str, value: bytes, revision: int, live: bool) -> None:
        """One value from the facts bucket (on the link's loop). Anything malformed changes nothing."""
        try:
            message = decode(value)
            site = site_of_key(key)
        except (msgspec.DecodeError, ValueError, UnicodeDecodeError) as e:
            log.warning("facts bucket: %s refused (%s)", key, e)
            return
        if message.site != site or key not in (facts_key(site), beat_key(site)):
            log.warning("facts bucket: %s holds facts of %r; refused", key, message.site)
            return
        if isinstance(message, SiteFacts) and key == facts_key(site):
            try:
                self._adopt(message, revision, live)
            except Exception:  # facts that decode but do not load: kept out, and the watch goes on
                log.exception("facts bucket: %s (revision %d) could not be loaded; refused", key, revision)
        elif isinstance(message, FactsBeat) and key == beat_key(site) and live:
            self._beat(message)  # only a beat written since this node watches vouches for anything

    def _adopt(self, message: SiteFacts, revision: int, live: bool) -> None:
        pdp = self._access.points.get(message.site)
        if pdp is None:
            return  # a site this node does not serve
        held = self.held.get(message.site)
        if held is not None and revision <= held.revision:
            return  # the same facts again (the watch was made again), or older ones
        facts = Facts(pdp.site)
        facts.load(message.facts)
        threats = ThreatLevels(message.site)
        threats.load(message.threats)
        for change in self._still_pending(message.site, message.seq):
            threats.observe(change.event)  # this node's own change, not yet in the owner's facts
        model = RiskModel(pdp.site)
        model.load(message.risk)
        risk = RiskAt(model, message.now)
        pdp.adopt(facts, threats, risk)
        vouched = self._clock() if live else -math.inf  # written before we watched: wait for a beat
        self.held[message.site] = Held(revision, message.worker, message.seq, message.applied, vouched, risk)

    # --- this node's own threat-level changes -----------------------------------

    def threat_logged(self, site: str, event: Admin) -> None:
        """A threat-level change this node logged (JetStream acknowledged it): kept in force over the
        owner's facts until they include it, so a lockdown set here is never undone by older facts."""
        with self._pending_guard:
            self._pending.setdefault(site, []).append(Pending(event, self._clock() + 2 * self.max_age_s))

    def committed(self, site: str, seq: int, event_id: str) -> None:
        """The owner committed an event (``stk.out.<site>``): one of ours now has a log position."""
        with self._pending_guard:
            for change in self._pending.get(site, ()):
                if change.event.id == event_id:
                    change.seq = seq

    def _still_pending(self, site: str, facts_seq: int) -> list[Pending]:
        """Ours that the owner's facts at ``facts_seq`` may not include yet. One whose position is not
        known is kept for twice the bound: past that the owner either logged it or its facts are stale."""
        now = self._clock()
        with self._pending_guard:
            kept = [c for c in self._pending.get(site, ())
                    if (c.seq is None and now < c.until) or (c.seq is not None and c.seq > facts_seq)]
            self._pending[site] = kept
        return kept

    def _beat(self, beat: FactsBeat) -> None:
        held = self.held.get(beat.site)
        if held is None or held.revision != beat.facts:
            return  # it vouches for facts this node does not hold: they do not become fresh
        held.vouched, held.seq, held.applied, held.worker = self._clock(), beat.seq, beat.applied, beat.worker
        held.risk.now = beat.now

    def untrusted(self, site: str) -> str | None:
        """Why ``site``'s facts cannot be trusted now (the deny's reason), or None when they can."""
        held = self.held.get(site)
        if held is None:
            return (f"stale facts: no facts of site {site!r} have come from the worker owning it "
                    f"(a cluster API node decides from them, docs/cluster.md)")
        age = self._clock() - held.vouched
        if age == math.inf:
            return (f"stale facts: the facts of site {site!r} from worker {held.worker!r} (log position "
                    f"{held.seq}) were written before this node started, and no heartbeat has come since")
        if age > self.max_age_s:
            return (f"stale facts: the last word from worker {held.worker!r} on site {site!r} (log position "
                    f"{held.seq}) came {age:.1f} s ago, beyond [cluster] facts_max_age_s = {self.max_age_s:g} s")
        return None
