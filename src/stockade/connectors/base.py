"""What every connector shares: its binding, the ingest sink it feeds, its health.

A connector is bound like an ingest key: to one site (or any), a set of
sources (or any) and a set of event kinds (or any). The node turns the binding
into the ingest path's principal, so an MQTT publisher is held to exactly what
an HTTP device with an ``ingest`` key would be.

    >>> b = Binding("mqtt", site="dc-demo", sources=frozenset({"R-1"}), kinds=frozenset({"access"}))
    >>> b.narrowed("dc-other").site
    'dc-demo'

The checks themselves are the ingest path's (``Principal.forbids`` in
:mod:`stockade.node.ingest`), made once for HTTP keys and connectors alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Status = Literal["accepted", "duplicate", "rejected"]


@dataclass(frozen=True, slots=True)
class Binding:
    """Where a connector may write: ``site=None`` any site; ``sources`` empty: none (nothing is written);
    ``kinds`` empty: the device kinds (as for an ``ingest`` key)."""

    name: str
    site: str | None = None
    sources: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def narrowed(self, site: str) -> Binding:
        """The binding for one topic's site: a binding to any site becomes one to that site; a binding to
        one site stays bound to it (its lines for another site are then refused by the ingest path)."""
        return self if self.site is not None else Binding(self.name, site, self.sources, self.kinds)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One line's result, as the ingest path reports it."""

    line: int
    status: Status
    id: str | None = None
    seq: int | None = None
    field: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"line": self.line, "status": self.status}
        for name in ("id", "seq", "field", "reason"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


class IngestSink(Protocol):
    """The node's ingest path: validate, enforce the binding, commit, return one outcome per line.

    It returns only after the commit, so a connector may acknowledge its broker then."""

    def __call__(self, lines: Sequence[bytes], binding: Binding) -> list[Outcome]: ...


ConnectorState = Literal["starting", "connected", "disconnected", "stopped", "idle"]


@dataclass
class Health:
    """A connector's state, last message, lag and errors (``stockade connectors status``)."""

    name: str
    kind: str
    state: ConnectorState = "starting"
    last_message: float | None = None
    received: int = 0
    accepted: int = 0
    refused: int = 0
    errors: int = 0
    last_error: str | None = None
    backlog: int = 0
    lag_s: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set_state(self, state: ConnectorState) -> None:
        with self._lock:
            self.state = state

    def message(self, n: int = 1) -> None:
        with self._lock:
            self.received += n
            self.last_message = time.time()

    def counted(self, outcomes: Sequence[Outcome]) -> None:
        with self._lock:
            for o in outcomes:
                if o.status == "rejected":
                    self.refused += 1
                    key = f"{o.field}: {o.reason}" if o.field else str(o.reason)
                    self._reason(key)
                else:
                    self.accepted += 1

    def refuse(self, reason: str) -> None:
        with self._lock:
            self.refused += 1
            self._reason(reason)

    def error(self, message: str) -> None:
        with self._lock:
            self.errors += 1
            self.last_error = message

    def _reason(self, reason: str) -> None:
        short = reason[:160]
        if short in self.reasons or len(self.reasons) < 50:  # bounded: hostile input picks the reasons
            self.reasons[short] = self.reasons.get(short, 0) + 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "name": self.name, "kind": self.kind, "state": self.state, "last_message": self.last_message,
                "received": self.received, "accepted": self.accepted, "refused": self.refused,
                "errors": self.errors, "last_error": self.last_error, "backlog": self.backlog,
                "lag_s": round(self.lag_s, 6), "reasons": dict(self.reasons),
            }
