"""Reconciliation: expected against seen, each difference explained or not; accuracy; shrinkage."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from stockade.events import Envelope, Stock, Tag
from stockade.inventory.reconcile import reconcile
from stockade.site import parse_site

SITE = parse_site({
    "site": "s1", "name": "T", "timezone": "Europe/Paris",
    "zones": [{"id": "dock-in", "kind": "dock"}, {"id": "storage", "kind": "storage"},
              {"id": "pack", "kind": "storage"}, {"id": "dock-out", "kind": "dock", "exit": True}],
    "readers": [{"id": "R-IN", "zone": "dock-in"}, {"id": "R-PACK", "zone": "pack"},
                {"id": "R-OUT", "zone": "dock-out", "portal": True}],
    "skus": [{"sku": "0614141.107346", "name": "Phone", "value": 100.0},
             {"sku": "0614141.107357", "name": "Tablet", "value": 40.0}],
})
T0 = datetime.fromisoformat("2026-11-16T08:00:00+01:00")  # a Monday
PHONE = "urn:epc:id:sgtin:0614141.107346."
TABLET = "urn:epc:id:sgtin:0614141.107357."
_n = 0


def stock(minutes: float, op: str, **fields: Any) -> Stock:
    global _n
    _n += 1
    return Stock(id=f"s{_n}", ts=T0 + timedelta(minutes=minutes), site="s1", source="wms", op=op, **fields)  # type: ignore[arg-type]


def tag(minutes: float, reader: str, epc: str) -> Tag:
    global _n
    _n += 1
    return Tag(id=f"t{_n}", ts=T0 + timedelta(minutes=minutes), site="s1", source=reader, reader=reader, epc=epc)


def story() -> list[Envelope]:
    phones = [PHONE + str(i) for i in range(10)]
    tablets = [TABLET + str(i) for i in range(4)]
    return [
        stock(0, "receive", to="storage", epcs=phones + tablets),
        stock(60, "count", to="storage", epcs=phones[:8] + tablets),        # two phones not found
        stock(70, "pick", **{"from_": "storage"}, to="pack", epcs=[phones[0]], order="o1"),
        tag(75, "R-PACK", phones[0]),                                        # picked, seen at pack
        stock(80, "ship", **{"from_": "dock-out"}, epcs=[phones[1]], shipment="sh1"),
        tag(81, "R-OUT", phones[1]),                                         # shipped, seen leaving
        stock(90, "move", **{"from_": "storage"}, to="dock-in", epcs=[phones[2]]),
        tag(100, "R-PACK", phones[2]),                                       # moved, seen elsewhere soon after
        stock(110, "adjust", **{"from_": "storage"}, epcs=[tablets[0]], qty=-1, reason="damaged", user="u1"),
        tag(120, "R-IN", "urn:epc:id:sgtin:0614141.107346.999"),             # never received
        stock(60 * 24 * 7, "adjust", **{"from_": "storage"}, sku="0614141.107357", qty=-2, reason="lost", user="u1"),
    ]


def test_each_difference_is_explained_or_not() -> None:
    result = reconcile(SITE, story())
    kinds = {(d.epc.rsplit(".", 1)[1], d.kind, d.explained) for d in result.differences}
    assert ("8", "missing", None) in kinds
    assert ("9", "missing", None) in kinds
    assert ("0", "unexpected", "picked") in kinds
    assert ("1", "unexpected", "shipped") in kinds
    assert ("2", "misplaced", "in_transit") in kinds
    assert ("999", "unexpected", None) in kinds
    assert result.difference_counts == {"misplaced:in_transit": 1, "missing:unexplained": 2,
                                        "unexpected:picked": 1, "unexpected:shipped": 1,
                                        "unexpected:unexplained": 1}


def test_per_zone_and_sku_quantities_and_value() -> None:
    result = reconcile(SITE, story())
    storage = next(z for z in result.zones if z.key == "storage")
    # on hand in storage: phones 3..9 (7) and tablets 1..3 (3); phones 8, 9 missing; the rest counted
    assert (storage.expected, storage.seen, storage.difference) == (10, 8, -2)
    assert storage.difference_value == -200.0
    phone = next(s for s in result.skus if s.key == "0614141.107346")
    assert phone.unexplained == 3  # two missing, one never received


def test_accuracy_per_zone_and_per_week() -> None:
    result = reconcile(SITE, story())
    # storage: the phone record is off (two not found), the tablet record agrees
    assert result.accuracy["storage"] == 0.5
    assert result.accuracy_by_week == {"2026-W47": {"storage": 0.5}}  # the count found 8 of 10 phones


def test_shrinkage_by_zone_sku_value_week() -> None:
    result = reconcile(SITE, story())
    assert result.totals["shrinkage_items"] == 5  # a damaged tablet, two lost tablets, two missing phones
    assert result.totals["shrinkage_value"] == 40 + 80 + 200
    assert [(s.key, s.items) for s in result.shrinkage_by_week] == [("2026-W47", 3), ("2026-W48", 2)]
    assert {s.key for s in result.shrinkage_by_reason} == {"damaged", "lost", "unexplained_missing"}
    assert result.shrinkage_by_zone[0].key == "storage"


def test_unverified_items_are_not_differences() -> None:
    result = reconcile(SITE, [stock(0, "receive", to="pack", epcs=[PHONE + "1"])])
    assert result.differences == []
    assert result.totals["unverified"] == 1


def test_until_cuts_the_story() -> None:
    result = reconcile(SITE, story(), until=T0 + timedelta(minutes=65))
    assert result.difference_counts == {"missing:unexplained": 2}
