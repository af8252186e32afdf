"""The access facts of a cluster: what the worker owning a site publishes, for the API nodes to decide from.

    >>> publisher = FactsPublisher(link, settings.cluster, worker_id)    # in the worker  # doctest: +SKIP
    >>> publisher.publish(node)              # every turn of the worker's loop: on a change, or a beat  # doctest: +SKIP

One mechanism: the worker's own decision point. The node a worker runs for
its sites keeps, like the embedded node, a decision point per site whose
facts are the fold of the site's log (:mod:`stockade.access.facts`, the live
site's parts), its threat levels, and the engine's risk scores. When they
changed the worker writes the whole of them, typed (:class:`SiteFacts`), to
the facts bucket under ``facts.<site>`` (at most every :data:`MIN_INTERVAL_S`); an API node loads them into a
decision point of its own (:mod:`stockade.node.roles.facts_follow`), with the
same Cedar pack. So an API node decides from the very facts the embedded
node's decision point would hold after the same log, not from a second fold
that could disagree.

Every quarter of ``facts_max_age_s`` (and after each write of the facts) the
owner writes ``beat.<site>`` (:class:`FactsBeat`): which facts it vouches for
(their revision in the bucket), the log position they include and the
engine's — the current ones when nothing the facts hold changed since they
were written, else those of the write. A quiet site still beats; a dead or stalled owner stops, and an API
node that has heard no beat for ``facts_max_age_s`` denies. Only the owner
writes: the facts are read under the site's sequencer hold, which a worker
whose lease is no longer good is refused (:class:`~stockade.node.sequencer.NotOwner`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

import msgspec

from stockade.access.facts import FactsSnapshot
from stockade.access.threat import ThreatLevelsView
from stockade.connectors.errors import BusUnavailable
from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.facts_bucket import FactsBucket
from stockade.connectors.nats.link import NatsLink
from stockade.connectors.nats.mapping import beat_key, facts_key
from stockade.engine.engine import RiskModel as RiskReader
from stockade.engine.risk import RiskEntry, RiskModel, RiskSnapshot
from stockade.node.runtime import Node
from stockade.node.sequencer import NotOwner

log = logging.getLogger(__name__)
MIN_INTERVAL_S = 0.05  # a busy site's facts are written at most this often (each write is the whole of them)


class SiteFacts(msgspec.Struct, frozen=True, tag="facts"):
    """Everything a site's decision point reads, as the owning worker holds it."""

    site: str
    worker: str
    seq: int  # the log position the fold of the log includes
    applied: int  # the log position the engine (so the risk scores) has applied
    facts: FactsSnapshot
    threats: ThreatLevelsView
    risk: RiskSnapshot
    now: datetime | None  # the engine's event time: risk is read at it, as in the embedded node


class FactsBeat(msgspec.Struct, frozen=True, tag="beat"):
    """The owner is alive and its facts of the site are those of bucket revision ``facts``."""

    site: str
    worker: str
    facts: int  # the revision of ``facts.<site>`` these vouch for
    seq: int
    applied: int
    now: datetime | None


FactsMessage = SiteFacts | FactsBeat
encode = msgspec.json.Encoder().encode
decode = msgspec.json.Decoder(FactsMessage).decode


@dataclass
class _Sent:
    marks: tuple[int, int]  # (fact changes folded, risk additions) when last written
    revision: int  # of the facts in the bucket
    at: float  # monotonic time of that write
    seq: int  # the log position they include
    applied: int  # the engine's position they include
    now: datetime | None  # the engine's time they were read at


class FactsPublisher:
    """The worker's side: write a site's facts when they change, and beat."""

    def __init__(self, link: NatsLink, settings: ClusterSettings, worker: str) -> None:
        self._link = link
        self._bucket = FactsBucket(link, settings)
        self.worker = worker
        self.beat_s = settings.facts_max_age_s / 4
        self._node: Node | None = None
        self._base: dict[str, int] = {}
        self._sent: dict[str, _Sent] = {}
        self._next_beat = 0.0

    def publish(self, node: Node | None) -> None:
        """Write what changed for every site of ``node``, and beat when due. Never raises for the bus:
        a write that fails is tried again next time, and meanwhile no beat vouches for newer facts."""
        if node is None:
            return
        if node is not self._node:  # a new set of sites: everything is written afresh
            self._node, self._sent = node, {}
            self._base = {site: node.store.last_seq(site) for site in node.sites}
        beat = time.monotonic() >= self._next_beat
        if beat:
            self._next_beat = time.monotonic() + self.beat_s
        for site in node.sites:
            try:
                self._publish_site(node, site, beat)
            except NotOwner:
                self._sent.pop(site, None)  # not ours now: the next owner writes
            except BusUnavailable as e:
                log.warning("%s: facts not published (%s); trying again", site, e)

    def _publish_site(self, node: Node, site: str, beat: bool) -> None:
        with node.ingestor.sequencer.hold(site):  # refused once the lease is not good
            access = node.access
            pdp = access.point(site)
            reader, now = node.engine.risk(site)
            model = _concrete(reader)
            marks = (access.revisions.get(site, 0), model.updates if model is not None else 0)
            seq = max(access.positions.get(site, 0), self._base.get(site, 0))
            applied = node.engine.applied(site)
            sent = self._sent.get(site)
            payload = None
            if sent is None or (sent.marks != marks and time.monotonic() >= sent.at + MIN_INTERVAL_S):
                # encoded under the hold: the snapshots share the live dictionaries the fold mutates
                weights = dict(model.weights) if model is not None else {}  # one copy, atomic under the GIL
                risk = RiskSnapshot([RiskEntry(t, i, w, ts) for (t, i), (w, ts) in weights.items()], marks[1])
                payload = encode(SiteFacts(site, self.worker, seq, applied, pdp.facts.save(), pdp.threats.save(),
                                           risk, now))
        if payload is not None:
            revision = self._link.run(self._bucket.put(facts_key(site), payload))
            sent = self._sent[site] = _Sent(marks, revision, time.monotonic(), seq, applied, now)
        elif not beat or sent is None:
            return
        elif sent.marks != marks:  # a change not written yet (too soon after the last): vouch for no more
            seq, applied, now = sent.seq, sent.applied, sent.now
        self._link.run(self._bucket.put(beat_key(site), encode(
            FactsBeat(site, self.worker, sent.revision, seq, applied, now))))


def _concrete(reader: RiskReader | None) -> RiskModel | None:
    """The engine's risk model, whose weights travel (a worker's in-thread engine keeps one)."""
    if reader is None or isinstance(reader, RiskModel):
        return reader
    raise TypeError(f"a worker publishes the weights of a RiskModel, not of {type(reader).__name__}")
