"""The zone graph: zones are nodes, doors are edges.

Two zones are "far apart" when the shortest path between them crosses two or
more doors; the fastest plausible transit is the number of doors crossed times
``walk_s_per_hop``. The distance between two doors is the fewest doors between
any zone of one and any zone of the other.

    >>> topo = Topology.of(site)                     # doctest: +SKIP
    >>> topo.zone_hops("yard", "hv-cage")            # doctest: +SKIP
    3
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from stockade.site.config import SiteConfig

UNREACHABLE = 10**6


@dataclass(frozen=True, slots=True)
class Topology:
    hops: dict[str, dict[str, int]]
    door_zones: dict[str, tuple[str, str]]
    walk_s_per_hop: float

    @classmethod
    def of(cls, site: SiteConfig) -> Topology:
        adjacent: dict[str, set[str]] = {z.id: set() for z in site.zones}
        for d in site.doors:
            a, b = d.zones
            adjacent[a].add(b)
            adjacent[b].add(a)
        hops = {z: _bfs(adjacent, z) for z in adjacent}
        return cls(hops, {d.id: d.zones for d in site.doors}, site.walk_s_per_hop)

    def zone_hops(self, a: str, b: str) -> int:
        return self.hops.get(a, {}).get(b, UNREACHABLE)

    def door_hops(self, a: str, b: str) -> int:
        """Fewest doors between any zone of door ``a`` and any zone of door ``b``."""
        za, zb = self.door_zones.get(a), self.door_zones.get(b)
        if za is None or zb is None:
            return UNREACHABLE
        return min(self.zone_hops(x, y) for x in za for y in zb)

    def min_transit_s(self, hops: int) -> float:
        return hops * self.walk_s_per_hop


def _bfs(adjacent: dict[str, set[str]], start: str) -> dict[str, int]:
    dist = {start: 0}
    queue = deque([start])
    while queue:
        z = queue.popleft()
        for n in adjacent[z]:
            if n not in dist:
                dist[n] = dist[z] + 1
                queue.append(n)
    return dist
