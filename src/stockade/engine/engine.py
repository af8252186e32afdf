"""The engine: a fold over one site's ordered log.

``SiteEngine.step(event)`` applies one event on event time and returns the
events Stockade writes in answer (alerts, incidents). It reads no clock and
does no I/O, so replaying a log gives the same outputs, and a snapshot plus the
log's tail rebuilds the same state.

    >>> engine = SiteEngine(site, detectors=[])           # doctest: +SKIP
    >>> outputs = engine.step(event)                        # doctest: +SKIP

Detectors are passed in (the registry lives in ``stockade.detectors``, below
the engine in the import order).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Protocol

from stockade.events import Envelope
from stockade.site import SiteConfig


class Detector(Protocol):
    """A rule that turns events into alerts. One class per file in ``stockade.detectors``."""

    id: ClassVar[str]
    kinds: ClassVar[frozenset[str]]

    def observe(self, state: SiteState, event: Envelope) -> list[Envelope]: ...


class SiteState:
    """Everything the detectors know about a site, kept by the fold."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.now: datetime | None = None
        self.events_seen = 0
        self.last_seq = 0


class SiteEngine:
    def __init__(self, site: SiteConfig, detectors: Sequence[Detector]) -> None:
        self.state = SiteState(site)
        self.detectors = list(detectors)
        self._by_kind: dict[str, list[Detector]] = {}
        for d in self.detectors:
            for kind in d.kinds:
                self._by_kind.setdefault(kind, []).append(d)

    def step(self, event: Envelope, seq: int = 0) -> list[Envelope]:
        """Apply one event in log order; return the outputs it causes."""
        state = self.state
        if state.now is None or event.ts > state.now:
            state.now = event.ts
        state.events_seen += 1
        state.last_seq = seq
        outputs: list[Envelope] = []
        for detector in self._by_kind.get(event.kind, ()):
            outputs.extend(detector.observe(state, event))
        return outputs

    def snapshot(self) -> bytes:
        """The whole state, to resume from after a crash (trusted local file only)."""
        return pickle.dumps((self.state, self.detectors), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def restore(cls, data: bytes) -> SiteEngine:
        state, detectors = pickle.loads(data)  # noqa: S301 - our own snapshot file
        engine = cls(state.site, detectors)
        engine.state = state
        return engine
