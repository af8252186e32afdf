"""What every detector shares: typed parameters, deterministic alert ids, plain-language helpers.

A detector is one class in one file::

    class AfterHours(DetectorBase[AfterHoursParams]):
        id = "STK-ACC-001"
        kinds = frozenset({"access"})
        params_type = AfterHoursParams

        def observe(self, state, event): ...

A detector with working memory declares its shape as a msgspec Struct,
``memory_type``, whose fields name the detector's private attributes without
their underscore; snapshots save it and restore it as typed data (a detector
whose memory is not a plain copy of those attributes overrides
``save_memory`` / ``load_memory``).

Alert ids are ``al-`` plus a short hash of the detector id and the evidence
ids, so a replay of the same log produces the same alerts, byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar, cast

import msgspec

from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Entities, Envelope
from stockade.events.model import Severity
from stockade.site.config import Person


class Params(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every detector's parameters; each field has a sensible default."""


P = TypeVar("P", bound=Params)


def alert_id(detector: str, evidence: Iterable[str], salt: str = "") -> str:
    h = hashlib.blake2b(digest_size=10)
    h.update(detector.encode())
    h.update(salt.encode())
    for e in evidence:
        h.update(b"\x00")
        h.update(e.encode())
    return "al-" + h.hexdigest()


class DetectorBase(Generic[P]):
    id: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    params_type: ClassVar[type[Params]]
    memory_type: ClassVar[type[msgspec.Struct] | None] = None

    def __init__(self, params: P | Mapping[str, Any] | None = None) -> None:
        if params is None:
            params = {}
        if isinstance(params, Mapping):
            self.params: P = msgspec.convert(dict(params), type=self.params_type)  # type: ignore[assignment]
        else:
            self.params = params
        self.setup()

    def setup(self) -> None:
        """Create the detector's own working memory (kept in snapshots with it)."""

    def save_memory(self) -> msgspec.Struct | None:
        """The working memory as ``memory_type`` (None for a detector without memory)."""
        shape = self.memory_type
        if shape is None:
            return None
        build = cast("Callable[..., msgspec.Struct]", shape)
        return build(**{name: getattr(self, "_" + name) for name in shape.__struct_fields__})

    def load_memory(self, memory: msgspec.Struct) -> None:
        """Take the working memory from a decoded ``memory_type``."""
        for name in memory.__struct_fields__:
            setattr(self, "_" + name, getattr(memory, name))

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        raise NotImplementedError

    def alert(
        self,
        state: SiteState,
        ts: datetime,
        severity: Severity,
        summary: str,
        evidence: Iterable[str],
        *,
        salt: str = "",
        people: Iterable[str | None] = (),
        credentials: Iterable[str | None] = (),
        doors: Iterable[str | None] = (),
        zones: Iterable[str | None] = (),
        epcs: Iterable[str | None] = (),
        devices: Iterable[str | None] = (),
        shipments: Iterable[str | None] = (),
        vendors: Iterable[str | None] = (),
        trucks: Iterable[str | None] = (),
    ) -> Alert:
        ev = tuple(dict.fromkeys(e for e in evidence if e))
        return Alert(
            id=alert_id(self.id, ev, salt),
            ts=ts,
            site=state.site.site,
            source="stockade",
            detector=self.id,
            severity=severity,
            entities=Entities(
                people=_ids(people),
                credentials=_ids(credentials),
                doors=_ids(doors),
                zones=_ids(zones),
                epcs=_ids(epcs),
                devices=_ids(devices),
                shipments=_ids(shipments),
                vendors=_ids(vendors),
                trucks=_ids(trucks),
            ),
            evidence=ev,
            summary=summary,
        )

    def access_alert(
        self, state: SiteState, event: Access, person: str | None, severity: Severity, summary: str,
        *, zone: str | None = None, vendors: Iterable[str | None] = (),
    ) -> Alert:
        """An alert about one badge presentation: its person, credential, door and zone."""
        return self.alert(state, event.ts, severity, summary, [event.id], people=[person],
                          credentials=[event.credential], doors=[event.door], zones=[zone], vendors=vendors)


def _ids(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def clock(state: SiteState, ts: datetime) -> str:
    """Local time of day as a guard reads it: ``02:14``."""
    return state.clock.local(ts).strftime("%H:%M")


def stamp(state: SiteState, ts: datetime) -> str:
    """Local day and time: ``Sat 21 Nov 02:14``."""
    return state.clock.local(ts).strftime("%a %d %b %H:%M")


def span(delta: timedelta | float) -> str:
    """A duration in words: ``45 s``, ``12 min``, ``3.5 h``."""
    s = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    s = abs(s)
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    if s < 172800:
        return f"{s / 3600:.1f} h".replace(".0 h", " h")
    return f"{s / 86400:.1f} days"


def who(person: Person | None, credential: str | None = None) -> str:
    """``Badge 0042 (emp-1042, day shift)`` or ``emp-1042 (night shift)``."""
    detail = []
    if person is not None:
        detail.append(person.id)
        if person.shift:
            detail.append(f"{person.shift} shift")
        elif person.kind != "employee":
            detail.append(person.kind)
    inner = f" ({', '.join(detail)})" if detail else ""
    if credential:
        kind, _, number = credential.partition(":")
        label = f"{kind.capitalize()} {number}" if number else credential
        return label + inner
    if person is not None:
        return person.id + (f" ({', '.join(detail[1:])})" if len(detail) > 1 else "")
    return "an unknown person"


def worst(a: Severity, b: Severity) -> Severity:
    order = ("info", "low", "medium", "high", "critical")
    return a if order.index(a) >= order.index(b) else b
