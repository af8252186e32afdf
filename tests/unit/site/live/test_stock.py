"""Stock tombstones: what left the books is remembered long enough for the detectors, then forgotten."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from stockade.events.model import Stock, Tag
from stockade.site import SiteConfig
from stockade.site.live.stock import GONE, SHIPPED, WRITTEN_OFF, StockState

from .conftest import MONDAY_9

DAY = timedelta(days=1)
A, B, C = (f"urn:epc:id:sgtin:0614141.107346.{n}" for n in (1, 2, 3))


def stock(op: str, epcs: list[str], at: timedelta = timedelta(0), **kw: Any) -> Stock:
    return Stock(id=f"s-{op}-{at}", ts=MONDAY_9 + at, site="dc-demo", source="wms", op=op, epcs=epcs, **kw)  # type: ignore[arg-type]


def read(stock_state: StockState, epc: str, at: timedelta) -> None:
    ts = MONDAY_9 + at
    stock_state.apply_tag(Tag(id=f"r-{epc}-{at}", ts=ts, site="dc-demo", source="R-STORAGE-1",
                              reader="R-STORAGE-1", epc=epc), int(ts.timestamp() * 1000))


def test_a_shipped_epc_is_remembered_for_a_week_then_forgotten(site: SiteConfig) -> None:
    s = StockState(site)
    s.apply_stock(stock("receive", [A, B], to="storage/A-1"))
    s.apply_stock(stock("ship", [A], from_="dock-out", shipment="sh-1", trailer="tr-1"))
    read(s, A, 6 * DAY)
    assert s.flags(A) & SHIPPED
    assert s.shipments["sh-1"].shipment == "sh-1"
    read(s, B, 7 * DAY + timedelta(hours=2))  # a week and more: the next sweep forgets A and its shipment
    assert s.flags(A) == 0
    assert A not in s.seen
    assert s.read_id(A) == ""
    assert "sh-1" not in s.shipments
    assert "tr-1" not in s.trailers
    assert s.expected("storage") == {B}  # what is on the books stays


def test_gone_epcs_are_remembered_for_ninety_days(site: SiteConfig) -> None:
    s = StockState(site)
    s.apply_stock(stock("receive", [A, B], to="storage/A-1"))
    s.apply_stock(stock("adjust", [A], from_="storage/A-1", qty=-1, reason="stolen", user="emp-1060"))
    s.apply_stock(stock("adjust", [B], from_="storage/A-1", qty=-1, reason="lost", user="emp-1060"))
    read(s, C, 30 * DAY)
    assert s.flags(A) & GONE
    assert s.flags(B) == 0  # written off (counted away): a week
    read(s, C, 91 * DAY)
    assert s.flags(A) == 0
    assert s.left == {}
    assert s.gone == {}


def test_goods_back_on_the_books_are_not_forgotten(site: SiteConfig) -> None:
    s = StockState(site)
    s.apply_stock(stock("receive", [A], to="storage/A-1"))
    s.apply_stock(stock("adjust", [A], from_="storage/A-1", qty=-1, reason="lost", user="emp-1060"))
    assert s.flags(A) & WRITTEN_OFF
    s.apply_stock(stock("adjust", [A], DAY, from_="storage/A-2", qty=1, reason="found", user="emp-1060"))
    read(s, C, 30 * DAY)
    assert s.expected("storage/A-2") == {A}
    assert A in s.info


def test_reads_of_epcs_no_one_knows_are_forgotten_after_a_week(site: SiteConfig) -> None:
    s = StockState(site)
    read(s, C, timedelta(0))
    read(s, A, 3 * DAY)
    assert s.last_read(C) is not None
    read(s, A, 8 * DAY)
    assert s.last_read(C) is None
    assert s.last_read(A) is not None


def test_tombstones_survive_a_snapshot(site: SiteConfig) -> None:
    s = StockState(site)
    s.apply_stock(stock("receive", [A], to="storage/A-1"))
    s.apply_stock(stock("ship", [A], from_="dock-out", shipment="sh-1"))
    again = StockState(site)
    again.load(s.save())
    read(again, B, 8 * DAY)
    assert again.flags(A) == 0
