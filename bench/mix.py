"""A realistic mix of SEF/1 event lines for the demo site, for load benchmarks.

Roughly what a distribution centre's devices send: RFID reads dominate, then
door and access events, camera detections, heartbeats, WMS stock movements.
Uses the simulator's output when a scenario is given; this generator keeps the
ingest benchmarks independent of it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import msgspec

MIX = (("tag", 35), ("access", 15), ("door", 15), ("video", 15), ("device", 8), ("stock", 7), ("sensor", 5))
SOURCES = {kind: "wms" if kind == "stock" else f"src-{kind}" for kind, _ in MIX}
"""Each kind's source: devices, and the WMS the demo site declares for stock (docs/security.md)."""


def event_lines(n: int, *, site: str = "dc-demo", seed: int = 1, start: datetime | None = None) -> list[bytes]:
    rnd = random.Random(seed)
    t0 = start or (datetime.now(UTC) - timedelta(hours=2))
    kinds = [k for k, w in MIX for _ in range(w)]
    doors = ["D-LOBBY", "D-TURNSTILE", "D-FLOOR", "D-PACK", "D-DOCKIN", "D-HV"]
    out = []
    sent: dict[str, int] = {}  # each source numbers its own events, without gaps (STK-DEV-002 stays quiet)
    for i in range(n):
        kind = kinds[rnd.randrange(len(kinds))]
        source = SOURCES[kind]
        sent[source] = sent.get(source, -1) + 1
        base: dict[str, object] = {
            "id": f"ev-{seed}-{i}", "kind": kind, "ts": (t0 + timedelta(milliseconds=10 * i)).isoformat(),
            "site": site, "source": source, "seq": sent[source],
        }
        if kind == "tag":
            base |= {"reader": "R-DOCKIN-1", "epc": f"urn:epc:id:sgtin:0614141.107346.{rnd.randrange(10**6)}",
                     "antenna": rnd.randrange(4), "rssi": -40 - rnd.random() * 30, "direction": "in"}
        elif kind == "access":
            p = rnd.randrange(1001, 1060)
            base |= {"door": rnd.choice(doors), "subject": f"emp-{p}", "credential": f"badge:{p:04d}",
                     "result": "granted", "factors": ["badge"], "direction": "in"}
        elif kind == "door":
            base |= {"door": rnd.choice(doors), "state": rnd.choice(["open", "closed"])}
        elif kind == "video":
            base |= {"camera": "C-STORAGE-1", "zone": "storage", "label": "person", "event": "present",
                     "count": 1, "score": 0.87}
        elif kind == "device":
            base |= {"device": "C-YARD-1", "status": "online"}
        elif kind == "stock":
            base |= {"op": "move", "from": "dock-in", "to": "storage/A-01-1",
                     "epcs": [f"urn:epc:id:sgtin:0614141.107346.{rnd.randrange(10**6)}"], "user": "emp-1010"}
        else:
            base |= {"sensor": "S-MOTION-STORAGE", "zone": "storage", "type": "motion"}
        out.append(msgspec.json.encode(base))
    return out
