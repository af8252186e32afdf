"""Tagged stock in the simulated site: where each EPC physically is, and when.

    >>> inv = Inventory(site)                                      # doctest: +SKIP
    >>> epcs = inv.new_epcs("0614141.107346", 3)                   # doctest: +SKIP
    >>> epcs[0]                                                    # doctest: +SKIP
    'urn:epc:id:sgtin:0614141.107346.100001'

Each item records when it arrived in a zone and when it left (physically:
picked, stolen, written off). Generators run out of time order within a day,
so a count at ``t`` lists what was present at ``t``, and an item once claimed
by any activity (an order, a theft) is never claimed again.
"""

from __future__ import annotations

import random

from stockade.site import SiteConfig

FOREVER = 1 << 62
EPC_PREFIX = "urn:epc:id:sgtin:"


class Item:
    __slots__ = ("arrive", "bin", "claimed", "depart")

    def __init__(self, arrive: int, bin_: str) -> None:
        self.arrive = arrive
        self.depart = FOREVER
        self.claimed = False
        self.bin = bin_


class Inventory:
    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.zones: dict[str, dict[str, Item]] = {}
        self._pool: dict[str, list[str]] = {}
        self._serial: dict[str, int] = {}
        self.high_value = {s.sku for s in site.skus if s.high_value}

    def new_epcs(self, sku: str, n: int) -> list[str]:
        first = self._serial.get(sku, 100000) + 1
        self._serial[sku] = first + n - 1
        return [f"{EPC_PREFIX}{sku}.{s}" for s in range(first, first + n)]

    @staticmethod
    def sku_of(epc: str) -> str:
        return epc[len(EPC_PREFIX):].rsplit(".", 1)[0]

    def is_high_value(self, epc: str) -> bool:
        return self.sku_of(epc) in self.high_value

    def place(self, epc: str, location: str, t: int) -> None:
        """The item is physically at ``location`` (zone or zone/bin) from ``t``."""
        zone = location.split("/", 1)[0]
        self.zones.setdefault(zone, {})[epc] = Item(t, location)
        self._pool.setdefault(zone, []).append(epc)

    def leave(self, epc: str, zone: str, t: int) -> None:
        item = self.zones.get(zone, {}).get(epc)
        if item is not None:
            item.depart = min(item.depart, t)
            item.claimed = True

    def location(self, epc: str, zone: str) -> str:
        item = self.zones.get(zone, {}).get(epc)
        return item.bin if item is not None else zone

    def claim(self, zone: str, t: int, n: int, rng: random.Random, *, high_value: bool | None = None,
              until: int | None = None) -> list[str]:
        """Up to ``n`` items physically in ``zone`` at ``t`` (and still there at ``until``), claimed."""
        pool = self._pool.get(zone, [])
        items = self.zones.get(zone, {})
        out: list[str] = []
        tries = 0
        while pool and len(out) < n and tries < 20 * n + 50:
            tries += 1
            i = rng.randrange(len(pool))
            epc = pool[i]
            item = items.get(epc)
            if item is None or item.claimed or item.depart != FOREVER:
                pool[i] = pool[-1]
                pool.pop()
                continue
            if item.arrive > t or (until is not None and item.arrive > until):
                continue
            if high_value is not None and (self.sku_of(epc) in self.high_value) != high_value:
                continue
            item.claimed = True
            pool[i] = pool[-1]
            pool.pop()
            out.append(epc)
        return out

    def present(self, zone: str, t: int) -> list[str]:
        return [e for e, it in self.zones.get(zone, {}).items() if it.arrive <= t < it.depart]

    def prune(self, before: int) -> None:
        """Forget items that left before ``before``: nothing will ask about them again."""
        for zone, items in self.zones.items():
            gone = [e for e, it in items.items() if it.depart < before]
            for e in gone:
                del items[e]
            if gone:
                self._pool[zone] = [e for e in self._pool.get(zone, []) if e in items]
