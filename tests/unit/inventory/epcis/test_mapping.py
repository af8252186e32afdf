"""EPCIS events to SEF/1 stock events, one per EPCIS event, by the table in mapping.py."""

from __future__ import annotations

import json

import pytest

from stockade.events import Stock, canonical_event, decode_event
from stockade.inventory.epcis.event_hash import document_events, event_hash, namespaces
from stockade.inventory.epcis.mapping import MappingError, map_event
from tests.unit.inventory.epcis.site_fixture import (
    DOCK_IN,
    DOCK_OUT,
    EXAMPLES,
    STORAGE_BIN,
    make_site,
    object_event,
)

SITE = make_site()
EPC = "urn:epc:id:sgtin:0614141.107346.1"


def _map(event: dict[str, object]) -> Stock:
    return map_event(event, site=SITE, source="wms-1")


@pytest.mark.parametrize(("step", "disposition", "op", "where"), [
    ("receiving", None, "receive", ("to", "dock-in")),
    ("shipping", None, "ship", ("from_", "dock-in")),
    ("cycle_counting", None, "count", ("to", "dock-in")),
    ("picking", None, "pick", ("from_", "dock-in")),
    ("storing", None, "putaway", ("to", "dock-in")),
    ("inspecting", None, "move", ("to", "dock-in")),
    (None, None, "move", ("to", "dock-in")),
    ("shipping", "stolen", "adjust", ("from_", "dock-in")),
    ("inspecting", "destroyed", "adjust", ("from_", "dock-in")),
    ("destroying", None, "adjust", ("from_", "dock-in")),
])
def test_the_table(step: str | None, disposition: str | None, op: str, where: tuple[str, str]) -> None:
    extra = {"disposition": disposition} if disposition else {}
    stock = _map(object_event(step, **extra))
    assert stock.op == op
    assert getattr(stock, where[0]) == where[1]
    assert stock.epcs == [EPC]
    if op == "adjust":
        assert stock.qty == -1
        assert stock.reason == (disposition or "destroyed")


def test_id_hash_and_original_are_kept() -> None:
    event = object_event("receiving", biz=STORAGE_BIN)
    stock = _map(event)
    ni = event_hash(event)
    assert stock.id == "epcis:" + ni[len("ni:///sha-256;"):-len("?ver=CBV2.0")]
    assert stock.to == "storage/A-12-3"
    assert stock.attrs is not None
    assert stock.attrs["event_hash"] == ni
    assert stock.attrs["epcis"] == event
    # the log entry holds the original event: its hash can be recomputed from the entry alone
    again = decode_event(canonical_event(stock))
    assert again.attrs is not None
    assert event_hash(again.attrs["epcis"]) == ni


def test_ship_prefers_the_read_point_and_takes_the_shipment() -> None:
    event = object_event("shipping", biz=None, read=DOCK_OUT, bizTransactionList=[
        {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:PO-1"},
        {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:ASN-9"}])
    stock = _map(event)
    assert (stock.op, stock.from_, stock.shipment) == ("ship", "dock-out", "urn:epcglobal:cbv:bt:0614141073467:ASN-9")


def test_digital_links_become_urns_when_the_site_knows_the_prefix() -> None:
    stock = _map(object_event("receiving", epcs=("https://id.gs1.org/01/10614141073464/21/7",),
                              biz="https://id.gs1.org/414/0614141007776"))
    assert stock.epcs == ["urn:epc:id:sgtin:0614141.107346.7"]
    assert stock.to == "dock-in"  # the Digital Link of the SGLN in the table


def test_quantities_without_epcs() -> None:
    event = object_event("receiving", epcs=(), quantityList=[
        {"epcClass": "urn:epc:class:lgtin:0614141.107346.LOT1", "quantity": 12}])
    stock = _map(event)
    assert (stock.sku, stock.qty, stock.epcs) == ("0614141.107346", 12, None)


def test_unknown_location_is_refused_naming_the_path() -> None:
    with pytest.raises(MappingError) as err:
        _map(object_event("receiving", biz="urn:epc:id:sgln:9999999.00001.0"))
    assert err.value.path == "$.bizLocation.id"
    assert "unknown location" in err.value.reason
    with pytest.raises(MappingError, match=r"\$\.readPoint\.id"):
        _map(object_event("inspecting", biz=None, read="urn:epc:id:sgln:9999999.00001.0"))


def test_receiving_needs_a_place() -> None:
    with pytest.raises(MappingError, match="receiving needs"):
        _map(object_event("receiving", biz=None))


def test_every_gs1_example_maps() -> None:
    count = 0
    for path in sorted(EXAMPLES.rglob("*.jsonld")):
        doc = json.loads(path.read_text())
        ns = namespaces(doc.get("@context"))
        for event in document_events(doc):
            stock = map_event(event, site=SITE, source="wms-1", ns=ns)
            assert stock.id.startswith("epcis:")
            count += 1
    assert count > 47
    assert DOCK_IN in SITE.locations
