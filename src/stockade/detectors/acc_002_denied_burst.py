"""STK-ACC-002: a burst of denied attempts at one door or by one credential (badge probing).

Counts denials in a sliding window per door and per credential. One alert per
burst when the count reaches ``threshold``, and one more if it reaches
``escalate_at``; a mistyped PIN or two never gets there.

    7 denied attempts at D-HV in 4 min (badges 1003, 1009, 7001); last by Badge 1009 (emp-1009)
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import msgspec

from stockade.detectors.base import DetectorBase, Params, span, who
from stockade.engine.state import SiteState
from stockade.events import Access, Alert, Envelope
from stockade.events.model import Severity


class DeniedBurstParams(Params, frozen=True):
    window_s: float = 300
    threshold: int = 4
    escalate_at: int = 8
    severity: Severity = "medium"
    escalated: Severity = "high"


Denial = tuple[float, str, str | None, str | None]  # (epoch s, event id, credential, person)


class DeniedBurstMemory(msgspec.Struct):
    """Working memory kept in snapshots."""

    by_key: dict[str, list[Denial]]
    alerted: dict[str, int]


class DeniedBurst(DetectorBase[DeniedBurstParams]):
    id = "STK-ACC-002"
    kinds = frozenset({"access"})
    params_type = DeniedBurstParams
    memory_type = DeniedBurstMemory

    def setup(self) -> None:
        self._by_key: dict[str, deque[Denial]] = {}
        self._alerted: dict[str, int] = {}  # key -> count at the last alert of this burst

    def save_memory(self) -> DeniedBurstMemory:
        return DeniedBurstMemory({k: list(ring) for k, ring in self._by_key.items()}, self._alerted)

    def load_memory(self, memory: msgspec.Struct) -> None:
        if not isinstance(memory, DeniedBurstMemory):  # the snapshot decoded it as memory_type
            raise TypeError(f"{type(self).__name__} cannot load a {type(memory).__name__}")
        self._by_key = {k: deque(ring) for k, ring in memory.by_key.items()}
        self._alerted = memory.alerted

    def observe(self, state: SiteState, event: Envelope) -> list[Alert]:
        if not isinstance(event, Access):
            return []
        if event.result != "denied":
            return []
        person = state.people.person_of(event.subject, event.credential)
        pid = person.id if person else event.subject
        now = state.ms / 1000
        out: list[Alert] = []
        keys = [("door", event.door)]
        cred = event.credential or event.subject
        if cred:
            keys.append(("credential", cred))
        for kind, value in keys:
            key = f"{kind}:{value}"
            ring = self._by_key.get(key)
            if ring is None:
                ring = self._by_key[key] = deque()
            ring.append((now, event.id, event.credential, pid))
            while ring and ring[0][0] < now - self.params.window_s:
                ring.popleft()
            if len(ring) == 1:
                self._alerted.pop(key, None)
            alert = self._judge(state, event, kind, value, ring, key)
            if alert is not None and not out:  # one alert when door and credential trip together
                out.append(alert)
        return out

    def _judge(
        self, state: SiteState, event: Access, kind: str, value: str, ring: deque[Denial], key: str
    ) -> Alert | None:
        p = self.params
        n = len(ring)
        last = self._alerted.get(key, 0)
        if n >= p.escalate_at and last < p.escalate_at:
            severity = p.escalated
        elif n >= p.threshold and last < p.threshold:
            severity = p.severity
        else:
            return None
        self._alerted[key] = n
        creds = list(dict.fromkeys(d[2] for d in ring if d[2]))
        people = list(dict.fromkeys(d[3] for d in ring if d[3]))
        doors = [event.door] if kind == "door" else []
        elapsed = span(timedelta(seconds=ring[-1][0] - ring[0][0]))
        person = state.people.person_of(event.subject, event.credential)
        if kind == "door":
            shown = ", ".join(c.partition(":")[2] or c for c in creds[:5]) or "no credential"
            summary = (
                f"{n} denied attempts at {event.door} in {elapsed} ({len(creds)} credential(s): {shown});"
                f" last by {who(person, event.credential)}. Check the door and the camera."
            )
        else:
            summary = (
                f"{who(person, event.credential)} was denied {n} times in {elapsed}"
                f" (last at {event.door}). Possible badge probing or a stolen badge:"
                f" check the {event.door} camera and whether {person.id if person else 'the holder'} has it."
            )
            doors = [event.door]
        return self.alert(
            state,
            event.ts,
            severity,
            summary,
            [d[1] for d in ring],
            salt=f"{key}:{severity}",
            people=people,
            credentials=creds,
            doors=doors,
        )
