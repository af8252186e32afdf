"""Correlation: alerts that share an entity within a window become one incident.

The engine hands every alert to :meth:`Correlator.observe`, which answers with
the incident versions the alert causes (none, or one). Event time only, no I/O,
and incident ids are a hash of the site and the opening alert's id, so a replay
of the same log gives the same incidents, versions and ids.

    >>> c = Correlator(site)                                       # doctest: +SKIP
    >>> c.observe(device_down)      # a lone medium alert opens an incident  # doctest: +SKIP
    [Incident(id='inc-3f2a…:1', pattern='device_tampering', severity='medium', …)]
    >>> c.observe(door_forced)      # same zone, 4 minutes later: version 2  # doctest: +SKIP
    [Incident(id='inc-3f2a…:2', pattern='blind_and_grab', severity='high', …)]

Rules (parameters in :class:`CorrelationParams`):

- an alert joins the open incident with which it shares a key (see
  ``correlation_keys``) seen within ``window_s`` (``long_window_s`` for EPCs,
  shipments and trucks); with several candidates, the most severe wins;
- a signal discovered late (``lookback_s``: a count finding goods missing) may
  join an incident at the same zone up to its lookback before;
- an alert of ``open_severity`` or worse that joins nothing opens an incident,
  absorbing the quieter alerts it is linked to;
- ``low`` and ``info`` alerts alone wait: a ``low`` one opens an incident only
  when linked alerts show ``repeat_n`` of the same signal or two distinct signals;
- context signals (``patterns.CONTEXT``: after-hours access, anomalies) are
  ordinary while the site is closed; while it is open (people work late, habits
  drift) they wait below their own threshold and need a non-context signal
  beside them;
- a join that changes the incident is a new version (event id ``<incident>:<n>``, status
  ``new``); pure repeats are folded in at doubling alert counts (see ``worth_a_version``);
  pattern and severity come from ``patterns``.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stockade.engine import correlation_state
from stockade.engine.correlation_incident import OpenIncident
from stockade.engine.correlation_keys import LONG_KEYS, Key, KeyIndex
from stockade.engine.correlation_state import CorrelatorSnapshot, Pending
from stockade.engine.patterns import CONTEXT, rank
from stockade.events.model import Alert, Incident, Severity
from stockade.site import SiteConfig
from stockade.site.calendar import is_open

_PRUNE_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class CorrelationParams:
    window_s: float = 1800.0
    long_window_s: float = 7 * 86400.0
    open_severity: Severity = "medium"
    repeat_n: int = 3
    # Signals discovered late: a count finds today a loss that happened since the last
    # count, so it may join an incident at the same place this far back.
    lookback_s: dict[str, float] = field(default_factory=lambda: {"STK-INV-002": 2 * 86400.0})
    source: str = "stockade/correlation"


@dataclass
class Correlator:
    """Groups alerts into incidents; its memory is saved as typed data (``correlation_state``)."""

    site: SiteConfig | None = None
    params: CorrelationParams = field(default_factory=CorrelationParams)
    index: KeyIndex = field(init=False)
    open: dict[str, OpenIncident] = field(init=False, default_factory=dict)
    by_key: dict[Key, str] = field(init=False, default_factory=dict)
    pending: deque[Pending] = field(init=False, default_factory=deque)
    now: datetime | None = field(init=False, default=None)
    pruned: datetime | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.index = KeyIndex.of(self.site)

    def save(self) -> CorrelatorSnapshot:
        return correlation_state.save(self)

    def load(self, saved: CorrelatorSnapshot) -> None:
        correlation_state.load(self, saved)

    def observe(self, alert: Alert) -> list[Incident]:
        """Fold one alert in; return the incident version it causes, if any."""
        if self.now is None or alert.ts > self.now:
            self.now = alert.ts
        keys = self.index.keys(alert)
        target = self._candidate(alert, keys)
        if target is not None:
            return self._join(target, alert, keys)
        linked = self._linked_pending(alert, keys)
        if not self._opens(alert, linked):
            self.pending.append(Pending(alert, frozenset(keys)))
            self._prune()
            return []
        for p in linked:
            self.pending.remove(p)
        return [self._open(alert, keys, [p.alert for p in linked])]

    # --- joining -------------------------------------------------------------

    def _near(self, key: Key, then: datetime, ts: datetime) -> bool:
        """Within the key's window, compared in seconds as the params give them (a timedelta made
        per call was a tenth of correlation's time)."""
        p = self.params
        return abs((ts - then).total_seconds()) <= (p.long_window_s if key[0] in LONG_KEYS else p.window_s)

    def _candidate(self, alert: Alert, keys: list[Key]) -> OpenIncident | None:
        best: OpenIncident | None = None
        lookback = timedelta(seconds=self.params.lookback_s.get(alert.detector, 0.0))
        for key in keys:
            inc_id = self.by_key.get(key)
            inc = self.open.get(inc_id) if inc_id else None
            if inc is None:
                continue
            seen = inc.key_seen[key]
            late = key[0] == "zone" and timedelta(0) <= alert.ts - seen <= lookback
            if not (late or self._near(key, seen, alert.ts)):
                continue
            if best is None or (rank(inc.severity), inc.end, inc.incident) > (
                rank(best.severity), best.end, best.incident
            ):
                best = inc
        return best

    def _join(self, inc: OpenIncident, alert: Alert, keys: list[Key]) -> list[Incident]:
        inc.add(alert, self.index.zones_of(alert))
        self._claim(inc, alert, keys)
        if not inc.worth_a_version(self.params.repeat_n):
            return []
        return [inc.version(alert.ts, self.params.source, self.params.repeat_n)]

    def _claim(self, inc: OpenIncident, alert: Alert, keys: list[Key]) -> None:
        for key in keys:
            self.by_key[key] = inc.incident
            seen = inc.key_seen.get(key)
            inc.key_seen[key] = alert.ts if seen is None or alert.ts > seen else seen

    # --- opening -------------------------------------------------------------

    def _linked_pending(self, alert: Alert, keys: list[Key]) -> list[Pending]:
        wanted = set(keys)
        return [
            p for p in self.pending
            if any(k in wanted and self._near(k, p.alert.ts, alert.ts) for k in p.keys)
        ]

    def _opens(self, alert: Alert, linked: list[Pending]) -> bool:
        context = alert.detector in CONTEXT and (self.site is None or is_open(self.site, alert.ts))
        alone = CONTEXT[alert.detector] if context else self.params.open_severity
        if rank(alert.severity) >= rank(alone):
            return True
        if alert.severity == "info":
            return False
        signals = [a for a in (*(p.alert for p in linked), alert) if a.severity != "info"]
        distinct = {a.detector for a in signals}
        if len(distinct) >= 2 and (distinct - CONTEXT.keys() or not context):
            return True
        if context:
            return False
        return sum(a.detector == alert.detector for a in signals) >= self.params.repeat_n

    def _open(self, alert: Alert, keys: list[Key], earlier: list[Alert]) -> Incident:
        digest = hashlib.sha256(f"{alert.site}\x00{alert.id}".encode()).hexdigest()[:16]
        inc = OpenIncident(incident=f"inc-{digest}", site=alert.site, opened=alert.ts,
                           start=alert.ts, end=alert.ts)
        for a in sorted(earlier, key=lambda a: (a.ts, a.id)):
            inc.add(a, self.index.zones_of(a))
            self._claim(inc, a, self.index.keys(a))
        inc.add(alert, self.index.zones_of(alert))
        self._claim(inc, alert, keys)
        self.open[inc.incident] = inc
        self._prune()
        return inc.version(alert.ts, self.params.source, self.params.repeat_n)

    # --- forgetting ------------------------------------------------------------

    def _prune(self) -> None:
        """Forget what no future alert can join: beyond the longest window behind ``now``."""
        if self.now is None or (self.pruned is not None and self.now - self.pruned < _PRUNE_EVERY):
            return
        self.pruned = self.now
        horizon = self.now - timedelta(seconds=max(self.params.window_s, self.params.long_window_s))
        while self.pending and self.pending[0].alert.ts < horizon:
            self.pending.popleft()
        stale = [i for i, inc in self.open.items() if inc.end < horizon]
        for inc_id in stale:
            inc = self.open.pop(inc_id)
            for key in inc.key_seen:
                if self.by_key.get(key) == inc_id:
                    del self.by_key[key]
