"""The event writer: stamps ids and times, orders by event time, numbers and signs per source.

    >>> em = Emitter("dc-demo", clock, "sim7-", sink)           # doctest: +SKIP
    >>> first = em.device(0, "C-HV-1", "C-HV-1", "online")        # doctest: +SKIP
    >>> em.flush(until=clock.DAY)                                 # doctest: +SKIP

Generators add events in any order for any future time; ``flush(until)`` sorts
what is due (stable on creation order for equal times), then gives each source
its next ``seq`` and, for signing sources, an Ed25519 signature over the RFC 8785
payload. Sequence numbers are given at flush, in event-time order, because that
is the order a device would have numbered them. A source being suppressed by an
attack still counts its dropped events, so the gap shows in ``seq``.
"""

from __future__ import annotations

import base64
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from stockade.events import Access, Admin, Device, Door, Envelope, Gate, Sensor, Stock, Tag, Video
from stockade.events.canonical import signing_payload
from stockade.sim.clock import SimClock
from stockade.sim.keys import DeviceKeys

_set = msgspec.structs.force_setattr


class Sink(Protocol):
    def write(self, batch: list[Envelope]) -> None: ...


@dataclass
class Suppression:
    source: str
    start: int
    end: int
    dropped: int = 0
    first_after: str | None = None  # id of the first event the source sends after the gap
    first_after_t: int = 0


@dataclass
class Emitter:
    site: str
    clock: SimClock
    prefix: str
    sink: Sink
    keys: DeviceKeys | None = None
    signed: frozenset[str] | None = None  # None: nobody signs; empty: everyone with a key
    written: int = 0
    _buf: list[tuple[int, int, Envelope]] = field(default_factory=list)
    _n: int = 0
    _seq: dict[str, int] = field(default_factory=dict)
    _suppress: dict[str, list[Suppression]] = field(default_factory=dict)
    _end: int = 0
    flushed_until: int = -(1 << 62)
    late: int = 0  # events added after their time was already written: a generator bug
    capture: list[tuple[int, Envelope]] | None = None  # attacks record the events they cause

    def __post_init__(self) -> None:
        self._end = self.clock.duration_ms

    def _stamp(self, t: int) -> tuple[str, Any]:
        self._n += 1
        return f"{self.prefix}{self._n}", self.clock.dt(t)

    def put(self, t: int, event: Envelope) -> str:
        self._buf.append((t, self._n, event))
        if self.capture is not None:
            self.capture.append((t, event))
        return event.id

    # --- one helper per kind: the envelope is filled in here -------------------

    def access(self, t: int, door: str, result: str, factors: list[str], *, subject: str | None,
               credential: str | None, direction: str | None, reason: str | None = None) -> str:
        i, ts = self._stamp(t)
        return self.put(t, Access(id=i, ts=ts, site=self.site, source=door, door=door, result=result,  # type: ignore[arg-type]
                                  factors=factors, subject=subject, credential=credential,  # type: ignore[arg-type]
                                  direction=direction, reason=reason))  # type: ignore[arg-type]

    def door(self, t: int, door: str, state: str, duration_s: float | None = None) -> str:
        i, ts = self._stamp(t)
        return self.put(t, Door(id=i, ts=ts, site=self.site, source=door, door=door, state=state,  # type: ignore[arg-type]
                                duration_s=duration_s))

    def sensor(self, t: int, sensor: str, zone: str, type_: str, *, user: str | None = None,
               value: float | None = None) -> str:
        i, ts = self._stamp(t)
        return self.put(t, Sensor(id=i, ts=ts, site=self.site, source=sensor, sensor=sensor, zone=zone,
                                  type=type_, user=user, value=value))  # type: ignore[arg-type]

    def video(self, t: int, camera: str, label: str, event: str, *, zone: str | None = None,
              track: str | None = None, count: int | None = None, dwell_s: float | None = None,
              plate: str | None = None, score: float | None = None) -> str:
        i, ts = self._stamp(t)
        return self.put(t, Video(id=i, ts=ts, site=self.site, source=camera, camera=camera, label=label,
                                 event=event, zone=zone, track=track, count=count,  # type: ignore[arg-type]
                                 dwell_s=dwell_s, plate=plate, score=score))

    def tag(self, t: int, reader: str, epc: str, *, antenna: int | None = None, rssi: float | None = None,
            direction: str | None = None) -> str:
        i, ts = self._stamp(t)
        return self.put(t, Tag(id=i, ts=ts, site=self.site, source=reader, reader=reader, epc=epc,
                               antenna=antenna, rssi=rssi, direction=direction))  # type: ignore[arg-type]

    def stock(self, t: int, op: str, **fields: Any) -> str:
        i, ts = self._stamp(t)
        source = fields.pop("source", "wms")
        if "from" in fields:
            fields["from_"] = fields.pop("from")
        return self.put(t, Stock(id=i, ts=ts, site=self.site, source=source, op=op, **fields))  # type: ignore[arg-type]

    def device(self, t: int, source: str, device: str, status: str, detail: str | None = None) -> str:
        i, ts = self._stamp(t)
        return self.put(t, Device(id=i, ts=ts, site=self.site, source=source, device=device,
                                  status=status, detail=detail))  # type: ignore[arg-type]

    def gate(self, t: int, gate: str, direction: str, **fields: Any) -> str:
        i, ts = self._stamp(t)
        return self.put(t, Gate(id=i, ts=ts, site=self.site, source=gate, gate=gate,
                                direction=direction, **fields))  # type: ignore[arg-type]

    def admin(self, t: int, source: str, actor: str, action: str, *, attrs: dict[str, Any] | None = None,
              **fields: Any) -> str:
        i, ts = self._stamp(t)
        for name in ("start", "end"):
            if isinstance(fields.get(name), int):
                fields[name] = self.clock.dt(fields[name])
        return self.put(t, Admin(id=i, ts=ts, site=self.site, source=source, actor=actor, action=action,
                                 attrs=attrs, **fields))

    # --- suppression, ordering, numbering, signing -----------------------------

    def suppress(self, source: str, start: int, end: int) -> Suppression:
        """Drop ``source``'s events in [start, end) while still counting them in ``seq``."""
        s = Suppression(source, start, end)
        self._suppress.setdefault(source, []).append(s)
        return s

    def flush(self, until: int | None = None) -> None:
        """Write every buffered event before ``until`` (all when None), in event-time order."""
        buf = self._buf
        buf.sort()  # (t, creation number) is unique, so events themselves are never compared
        cut = len(buf) if until is None else bisect_left(buf, (until,))
        due, self._buf = buf[:cut], buf[cut:]
        out: list[Envelope] = []
        seq = self._seq
        end = self._end
        sup = self._suppress
        if due and due[0][0] < self.flushed_until:
            self.late += sum(1 for item in due if item[0] < self.flushed_until)
        if until is not None:
            self.flushed_until = until
        for t, _, ev in due:
            if t < 0 or t >= end:
                continue
            src = ev.source
            n = seq.get(src, -1) + 1
            seq[src] = n
            if sup and src in sup and self._dropped(src, t, ev.id):
                continue
            _set(ev, "seq", n)
            if self.signed is not None and self.keys is not None and (not self.signed or src in self.signed):
                _set(ev, "sig", self._sign(ev))
            out.append(ev)
        self.written += len(out)
        if out:
            self.sink.write(out)

    def _dropped(self, source: str, t: int, event_id: str) -> bool:
        for s in self._suppress[source]:
            if s.start <= t < s.end:
                s.dropped += 1
                return True
            if t >= s.end and s.first_after is None:
                s.first_after, s.first_after_t = event_id, t
        return False

    def _sign(self, ev: Envelope) -> str:
        if self.keys is None:
            raise RuntimeError("signing was asked of an emitter without device keys")
        raw = msgspec.to_builtins(ev)
        return base64.b64encode(self.keys.sign(ev.source, signing_payload(raw))).decode("ascii")

