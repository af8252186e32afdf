"""The site map: the zone graph of a site file laid out for drawing as SVG.

Zones are boxes placed in columns: the perimeter first, then the public zones
(yard, lobby), then each zone by how many doors separate it from them, so a map
reads from the fence on the left to the high-value cage on the right; doors are
the lines between boxes. A pure function of the layout and the live picture the
API serves; the template draws it.

    >>> layout = {"zones": [{"id": "yard", "kind": "yard", "public": True},
    ...                     {"id": "storage", "kind": "storage", "public": False}],
    ...           "doors": [{"id": "D-1", "zones": ["yard", "storage"]}]}
    >>> m = site_map(layout, live=None, threat={})
    >>> [(b.zone, b.column) for b in m.boxes]
    [('yard', 0), ('storage', 1)]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 170, 74, 70, 26, 16
_OPEN = {"open", "forced", "held", "unlocked"}


@dataclass(frozen=True, slots=True)
class Box:
    zone: str
    kind: str
    column: int
    x: int
    y: int
    threat: str
    armed: bool | None
    people: int
    down: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DoorLine:
    door: str
    x1: int
    y1: int
    x2: int
    y2: int
    state: str
    alarm: bool


@dataclass(frozen=True, slots=True)
class SiteMap:
    boxes: tuple[Box, ...]
    doors: tuple[DoorLine, ...]
    width: int
    height: int
    box_w: int = BOX_W
    box_h: int = BOX_H


def _columns(zones: list[Mapping[str, Any]], doors: list[Mapping[str, Any]]) -> dict[str, int]:
    """Perimeter zones in column 0; then doors from the public zones (yard, lobby) inwards."""
    perimeter = {z["id"] for z in zones if z["kind"] == "perimeter"}
    links: dict[str, set[str]] = {z["id"]: set() for z in zones}
    for d in doors:
        a, b = d["zones"]
        if a in links and b in links and a not in perimeter and b not in perimeter:
            links[a].add(b)
            links[b].add(a)
    inner = [z["id"] for z in zones if z["id"] not in perimeter]
    starts = [z["id"] for z in zones if z.get("public") and z["id"] not in perimeter] or inner[:1]
    first = 1 if perimeter else 0
    depth = dict.fromkeys(starts, first)
    queue = deque(starts)
    while queue:
        here = queue.popleft()
        for there in sorted(links[here]):
            if there not in depth:
                depth[there] = depth[here] + 1
                queue.append(there)
    last = max(depth.values(), default=first)
    return {z: 0 if z in perimeter else depth.get(z, last + 1) for z in links}  # unreachable zones go last


def site_map(layout: Mapping[str, Any], live: Mapping[str, Any] | None, threat: Mapping[str, str]) -> SiteMap:
    zones: list[Mapping[str, Any]] = list(layout["zones"])
    doors: list[Mapping[str, Any]] = list(layout.get("doors", ()))
    columns = _columns(zones, doors)
    site_level = threat.get("*", "normal")
    now = {z["zone"]: z for z in (live or {}).get("zones", ())}
    down: dict[str, list[str]] = {}
    for d in (live or {}).get("devices_down", ()):
        for zone in d["zones"]:
            down.setdefault(zone, []).append(d["device"])
    rows: dict[int, int] = {}
    boxes: dict[str, Box] = {}
    for z in zones:
        col = columns[z["id"]]
        row = rows.get(col, 0)
        rows[col] = row + 1
        z_now = now.get(z["id"], {})
        boxes[z["id"]] = Box(
            z["id"], z["kind"], col, MARGIN + col * (BOX_W + GAP_X), MARGIN + row * (BOX_H + GAP_Y),
            threat.get(z["id"], site_level), z_now.get("armed"), int(z_now.get("people", 0)),
            tuple(sorted(down.get(z["id"], ()))),
        )
    states: Mapping[str, str] = (live or {}).get("doors", {})
    lines = []
    for d in doors:
        a, b = (boxes.get(z) for z in d["zones"])
        if a is None or b is None:
            continue
        state = states.get(d["id"], "unknown")
        lines.append(DoorLine(d["id"], a.x + BOX_W // 2, a.y + BOX_H // 2, b.x + BOX_W // 2, b.y + BOX_H // 2,
                              state, state in _OPEN))
    width = MARGIN * 2 + (max(columns.values(), default=0) + 1) * (BOX_W + GAP_X) - GAP_X
    height = MARGIN * 2 + max(rows.values(), default=1) * (BOX_H + GAP_Y) - GAP_Y
    return SiteMap(tuple(boxes.values()), tuple(lines), width, height)
