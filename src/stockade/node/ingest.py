"""Ingest: bulk lines in, one result per line out; valid events sequenced and committed.

    >>> report = ingestor.ingest_body(body, principal=Principal.operator())   # doctest: +SKIP
    >>> [r.status for r in report.results]                                  # doctest: +SKIP
    ['accepted', 'rejected', 'duplicate']

A line is rejected with the field and the reason (bad JSON, wrong type,
unknown field or kind, unknown site, future time, an output kind, a missing or
bad device signature: ``code`` ``invalid`` or ``signature``), and refused with
``code`` ``forbidden`` (a reason beginning ``forbidden:``) when the writer
may not write it: an id in Stockade's own id space (:mod:`stockade.events.ids`),
a site, source or kind the principal is not bound to, or what the site's rules refuse (:mod:`stockade.site.authority`:
``stockade:`` sources, system kinds from undeclared sources, admin actions
nobody declared, threat levels). Every other line is kept. A site's events are
committed to the store, appended to its ledger and published to the engine
under that site's lock, so log order is acceptance order. The call returns
only after the commit: that is the acknowledgement.

An accepted event older than the site's event-time clock by more than the
allowed lateness is ``late`` (:func:`stockade.pipeline.loop.is_late`): kept in
the log, flagged on its line, counted, and not detected on by the live engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from stockade.events import Envelope, EventError, canonical_event, decode_event, split_body
from stockade.events.bounds import fit
from stockade.events.decode import MAX_FUTURE
from stockade.events.ids import OUTPUT_ID_PREFIXES, is_output_id, reserved_reason
from stockade.events.model import INPUT_KINDS
from stockade.ledger.tiles import MAX_ENTRY
from stockade.node.sequencer import COMMIT_CHUNK, LocalSequencer, Sequencer
from stockade.pipeline.bus import Bus
from stockade.pipeline.loop import ENGINE_SKIPS, is_late
from stockade.site import SiteConfig
from stockade.site.authority import Refusal, RefusalCode, forbidden, refusal
from stockade.site.sources import DEVICE_KINDS
from stockade.store import ApiKeyRecord, Store

Status = Literal["accepted", "duplicate", "rejected"]
_CLOCKED_KINDS = frozenset(INPUT_KINDS | {"decision"}) - ENGINE_SKIPS  # what moves the engine's clock
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LineResult:
    line: int
    status: Status
    id: str | None = None
    seq: int | None = None
    field: str | None = None
    reason: str | None = None
    late: bool = False  # accepted, but older than the site's event-time clock allows: no live detection
    code: RefusalCode | None = None  # rejected lines: what kind of no (callers decide on it, not on the reason)


@dataclass
class _SiteOutcome:
    """One site's valid lines of a call, kept as parallel lists (no object per line): their line
    numbers, events, and what the store answered (status, seq, late)."""

    lines: list[int]
    events: list[Envelope]
    answers: list[tuple[Status, int | None, bool]]


@dataclass
class IngestReport:
    """What one call did, kept per batch: counts, the refused lines (with their line numbers),
    and each site's outcome. :attr:`results` (one :class:`LineResult` per line, in line order) is
    built only when asked for, as the HTTP answer does; the command line reads the counts."""

    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    refused: list[LineResult] = field(default_factory=list)
    accepted_by_kind: dict[tuple[str, str], int] = field(default_factory=dict)
    late_by_site: dict[str, int] = field(default_factory=dict)
    outcomes: list[_SiteOutcome] = field(default_factory=list)
    _results: list[LineResult] | None = None

    @property
    def results(self) -> list[LineResult]:
        if self._results is None:
            slots: dict[int, LineResult] = {r.line: r for r in self.refused}
            for o in self.outcomes:
                for number, event, (st, seq, late) in zip(o.lines, o.events, o.answers, strict=True):
                    slots[number] = LineResult(number, st, id=event.id, seq=seq, late=late)
            self._results = [slots[n] for n in sorted(slots)]
        return self._results

    def count(self, status: Status) -> int:
        return {"accepted": self.accepted, "duplicate": self.duplicate, "rejected": self.rejected}[status]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is writing, and what they are bound to: a site, its sources, the kinds they may send.

    An ``ingest`` key (:meth:`for_key`) or a connector's binding is one site, a
    set of sources (empty binds nothing: every line is refused) and a set of
    kinds (default: the device kinds). ``sources=None`` (any source) is for the
    operator only (:meth:`operator`). Whatever the binding, the site's own rules
    still apply (:func:`stockade.site.authority.refusal`).
    """

    key_id: str
    site: str | None
    sources: frozenset[str] | None
    kinds: frozenset[str] = DEVICE_KINDS

    @classmethod
    def for_key(cls, key: ApiKeyRecord) -> Principal:
        return cls(key.key_id, key.site, frozenset(key.sources), frozenset(key.kinds) or DEVICE_KINDS)

    @classmethod
    def operator(cls, key_id: str = "local") -> Principal:
        """The operator feeding files to a stopped node: any site and source, every input kind.

        Still bounded by each site's rules: no ``stockade:`` source, no output,
        admin only from the sources and actions the site file declares."""
        return cls(key_id, None, None, INPUT_KINDS)

    def forbids(self, event: Envelope) -> Refusal | None:
        if self.site is not None and event.site != self.site:
            return forbidden("site", f"key {self.key_id} may only post for site {self.site}")
        if self.sources is not None and event.source not in self.sources:
            if not self.sources:
                return forbidden("source", f"key {self.key_id} is bound to no source; make a key for its "
                                           f"sources: `stockade apikey create --scope ingest --site {event.site} "
                                           f"--source {event.source}`")
            return forbidden("source", f"key {self.key_id} may post for {', '.join(sorted(self.sources))} "
                                       f"only, not {event.source!r}")
        if event.kind not in self.kinds:
            return forbidden("kind", f"key {self.key_id} may send {', '.join(sorted(self.kinds))} events "
                                     f"only, not {event.kind}; a key for more kinds is made with "
                                     f"`stockade apikey create --scope ingest ... --kind {event.kind}`")
        return None


class SignatureCheck(Protocol):
    """Checks a device signature over the event as sent; None means valid, else a ``signature`` refusal."""

    def __call__(self, site: SiteConfig, event: Envelope, raw: bytes) -> Refusal | None: ...


class Forward(Protocol):
    """Where a cluster API node sends one site's valid events instead of committing them: the bus.
    Returns once the bus has them durably, one status each (``duplicate``: the bus had that id)."""

    def __call__(self, site: str, events: Sequence[Envelope], entries: Sequence[bytes]) -> list[Status]: ...


class Ledgers(Protocol):
    def append(self, site: str, entries: Sequence[bytes]) -> None: ...


def log_entry(event: Envelope) -> bytes:
    """The event's ledger entry; refused when a tlog-tiles entry bundle cannot hold it."""
    entry = canonical_event(event)
    if len(entry) > MAX_ENTRY:
        raise EventError("", f"the event is {len(entry):,} bytes; a log entry holds at most "
                             f"{MAX_ENTRY:,} (C2SP tlog-tiles): split its epcs over several events")
    return entry


class Ingestor:
    def __init__(
        self,
        store: Store,
        sites: Mapping[str, SiteConfig],
        bus: Bus,
        ledgers: Ledgers | None = None,
        *,
        check_signature: SignatureCheck | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_future: timedelta = MAX_FUTURE,
        on_committed: Callable[[str, Sequence[tuple[int, Envelope]]], None] | None = None,
        on_late: Callable[[str, int], None] | None = None,
        sequencer: Sequencer | None = None,
        forward: Forward | None = None,
    ) -> None:
        self.store = store
        self.sites = sites
        self.bus = bus
        self.ledgers = ledgers
        self._check_signature = check_signature
        self._clock = clock
        self._max_future = max_future
        self._on_committed = on_committed
        self._on_late = on_late
        self._event_clocks: dict[str, datetime | None] = {}  # per site: the engine's clock, as the log sets it
        self.sequencer: Sequencer = sequencer or LocalSequencer()
        self.forward = forward

    def forget_clock(self, site: str) -> None:
        """Read the site's event-time clock from the store again (another process wrote its log)."""
        self._event_clocks.pop(site, None)

    # --- input from devices and systems ------------------------------------

    def ingest_body(self, body: bytes, principal: Principal) -> IngestReport:
        """NDJSON or a JSON array; raises EventError only if the body is unreadable as a whole."""
        return self.ingest_lines(split_body(body), principal)

    def ingest_lines(self, lines: Iterable[bytes], principal: Principal, *, first_line: int = 1) -> IngestReport:
        """Validate and commit ``lines`` (numbered from ``first_line``); returns after the commit."""
        now = self._clock()
        report = IngestReport()
        by_site: dict[str, tuple[list[int], list[Envelope], list[bytes]]] = {}
        for number, raw in enumerate(lines, start=first_line):
            try:
                event = self._validate(raw, now, principal)
                if not isinstance(event, Refusal):
                    entry = log_entry(event)
            except EventError as e:
                event = Refusal("invalid", e.field, e.reason)
            if isinstance(event, Refusal):
                report.refused.append(LineResult(number, "rejected", field=event.field, reason=event.reason,
                                                 code=event.code))
                continue
            batch = by_site.get(event.site)
            if batch is None:
                batch = by_site[event.site] = ([], [], [])
            batch[0].append(number)
            batch[1].append(event)
            batch[2].append(entry)
        report.rejected = len(report.refused)
        for site, (numbers, events, entries) in by_site.items():
            answers = self.accept(site, events, entries)
            report.outcomes.append(_SiteOutcome(numbers, events, answers))
            kinds: dict[str, int] = {}
            n_late = 0
            for event, (st, _seq, is_late_) in zip(events, answers, strict=True):
                n_late += is_late_
                if st == "accepted":
                    kinds[event.kind] = kinds.get(event.kind, 0) + 1
                else:
                    report.duplicate += 1
            for kind, n in kinds.items():
                report.accepted_by_kind[(site, kind)] = report.accepted_by_kind.get((site, kind), 0) + n
                report.accepted += n
            if n_late:
                report.late_by_site[site] = n_late
        return report

    def accept(self, site: str, events: Sequence[Envelope], entries: Sequence[bytes]
               ) -> list[tuple[Status, int | None, bool]]:
        """Take one site's valid events: (status, seq, late) each. The embedded node commits them; a
        cluster API node forwards them to the bus (no sequence number or lateness yet: the worker
        that owns the site gives them, :mod:`stockade.node.roles.worker`). On a site where doors
        decide, a long batch commits in chunks (:mod:`stockade.node.sequencer`), and only the last
        waits for the disk: its sync makes the chunks before it durable too (one write-ahead log), so
        the batch is acknowledged durable at the cost of one sync, as unchunked (the store's
        ``append`` promises so even when the last chunk has nothing new). A failure part-way leaves
        the chunks before it committed, and the client's retry finds them as duplicates."""
        if self.forward is not None:
            return [(st, None, False) for st in self.forward(site, events, entries)]
        late: list[bool] = []
        step = COMMIT_CHUNK if self.sequencer.contended(site) else max(1, len(events))  # decisions wait one chunk
        results = [r for i in range(0, len(events), step)
                   for r in self.commit(site, events[i : i + step], entries[i : i + step], late=late,
                                        wait_for_disk=i + step >= len(events))]
        return [(st, seq, is_late_) for (st, seq), is_late_ in zip(results, late, strict=True)]

    def _validate(self, raw: bytes, now: datetime, principal: Principal) -> Envelope | Refusal:
        """The event, or why it is refused; raises EventError for an ``invalid`` line."""
        event = decode_event(raw, now=now, max_future=self._max_future)
        if event.kind not in INPUT_KINDS:
            raise EventError("kind", f"{event.kind!r} events are written by Stockade only")
        if is_output_id(event.id):
            return Refusal("forbidden", "id", reserved_reason(event.id))
        site = self.sites.get(event.site)
        if site is None:
            raise EventError("site", f"unknown site {event.site!r}; load it with `stockade site load`")
        if (refused := principal.forbids(event) or refusal(site, event)) is not None:
            return refused
        if event.sig is not None or event.source in site.policy.require_signatures:
            if self._check_signature is None:
                return Refusal("signature", "sig", "this node has no device key registry to check signatures")
            if (bad := self._check_signature(site, event, raw)) is not None:
                return bad
        return event

    # --- sequencing: shared by input and Stockade's own outputs --------------

    def _event_clock(self, site: str) -> datetime | None:
        if site not in self._event_clocks:
            us = self.store.latest_ts_us(site, sorted(_CLOCKED_KINDS))
            self._event_clocks[site] = None if us is None else _EPOCH + timedelta(microseconds=us)
        return self._event_clocks[site]

    def _mark_late(self, site: str, events: Sequence[Envelope], statuses: Sequence[str]) -> list[bool]:
        """Move the site's event-time clock over newly accepted events, as the engine will; which are late."""
        clock = self._event_clock(site)
        flags = []
        for event, st in zip(events, statuses, strict=True):
            late = False
            if st == "accepted" and event.kind in _CLOCKED_KINDS:
                late = is_late(clock, event.ts)
                if not late and (clock is None or event.ts > clock):
                    clock = event.ts
            flags.append(late)
        self._event_clocks[site] = clock
        if self._on_late is not None and (n := sum(flags)):
            self._on_late(site, n)
        return flags

    def commit(
        self, site: str, events: Sequence[Envelope], entries: Sequence[bytes], *, wait_for_disk: bool = True,
        late: list[bool] | None = None, urgent: bool = False,
    ) -> list[tuple[Status, int]]:
        """Dedupe, sequence and commit one site's events; append to its ledger; publish. With ``late``,
        one flag per event is appended to it (see :func:`stockade.pipeline.loop.is_late`). With
        ``forward`` (a cluster API node), the events go to the bus instead, seq 0 and never late.
        ``urgent`` (an access decision, which a door waits for) goes before batches waiting for the site."""
        if self.forward is not None:
            statuses = self.forward(site, events, entries)
            if late is not None:
                late.extend(False for _ in statuses)
            return [(st, 0) for st in statuses]
        with self.sequencer.hold(site, urgent=urgent):
            results = self.store.append(site, events, entries, wait_for_disk=wait_for_disk)
            answers: list[tuple[Status, int]] = [(r.status, r.seq) for r in results]
            statuses = [st for st, _ in answers]
            flags = self._mark_late(site, events, statuses)
            if late is not None:
                late.extend(flags)
            if "duplicate" in statuses:
                kept = [i for i, st in enumerate(statuses) if st == "accepted"]
                committed = [(answers[i][1], events[i]) for i in kept]
                entries = [entries[i] for i in kept]
            else:  # the usual batch: every event new, no filtering
                committed = [(seq, e) for (_, seq), e in zip(answers, events, strict=True)]
            if committed:
                if self.ledgers is not None:
                    self.ledgers.append(site, entries)
                self.bus.publish(site, committed, entries)
                if self._on_committed is not None:
                    self._on_committed(site, committed)
        return answers

    def write_outputs(self, site: str, events: Sequence[Envelope], *, durable: bool = False) -> None:
        """Append what Stockade decided (alerts, incidents, decisions, actions) to the site's log.

        Every id must be in Stockade's own id space (:data:`OUTPUT_ID_PREFIXES`), which no input
        may use, so no input can take an output's id first and have it dropped as a duplicate.
        ``durable`` waits for the disk, as acknowledged input does (admin changes from the API).

        Without ``durable`` these commits do not wait for the disk: a killed process keeps them, and the node's periodic
        ``store.sync()`` (every checkpoint interval) makes them durable. Alerts and incidents are
        re-derived from the log on replay anyway; a decision or an admin change made in the last
        interval before a power cut is the one thing exposed, and the fsync per decision it would
        cost is most of a decision's latency.
        """
        for e in events:
            if not is_output_id(e.id):
                raise ValueError(f"Stockade's own event {e.id!r} needs an id beginning with one of "
                                 f"{', '.join(OUTPUT_ID_PREFIXES)} (stockade.events.ids)")
        bounded = [fit(e, MAX_ENTRY) for e in events]
        urgent = any(e.kind == "decision" for e in bounded)  # a door waits for it
        self.commit(site, bounded, [log_entry(e) for e in bounded], wait_for_disk=durable, urgent=urgent)

