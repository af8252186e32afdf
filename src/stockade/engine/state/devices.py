"""The engine's view of device health: the live site's part (:mod:`stockade.site.live.devices`)."""

from stockade.site.live.devices import DOWN_STATUSES, SILENT, DeviceHealth, DevicesSnapshot, Down

DevicesState = DeviceHealth

__all__ = ["DOWN_STATUSES", "SILENT", "DeviceHealth", "DevicesSnapshot", "DevicesState", "Down"]
