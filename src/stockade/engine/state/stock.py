"""The engine's view of goods: the live site's stock part (:mod:`stockade.site.live.stock`)."""

from stockade.site.live.stock import (
    GONE,
    KNOWN,
    PICKED,
    RECEIVED,
    SHIPPED,
    WRITTEN_OFF,
    CountRecord,
    ShipRecord,
    StockSnapshot,
    StockState,
    is_write_off,
    sku_of,
    zone_of,
)

__all__ = ["GONE", "KNOWN", "PICKED", "RECEIVED", "SHIPPED", "WRITTEN_OFF", "CountRecord", "ShipRecord",
           "StockSnapshot", "StockState", "is_write_off", "sku_of", "zone_of"]
