from __future__ import annotations

from datetime import timedelta

from stockade.events.model import Device
from stockade.site import SiteConfig
from stockade.site.devices import DeviceMap
from stockade.site.live.devices import SILENT, DeviceHealth

from .conftest import MONDAY_9


def device(name: str, status: str, minutes: float = 0) -> Device:
    return Device(id=f"d-{name}-{status}", ts=MONDAY_9 + timedelta(minutes=minutes), site="dc-demo", source="nvr",
                  device=name, status=status)  # type: ignore[arg-type]


def test_one_map_of_kinds_and_zones(site: SiteConfig) -> None:
    m = DeviceMap.of(site)
    reader, camera, sensor, gate, door = site.readers[0], site.cameras[0], site.sensors[0], site.gates[0], site.doors[0]
    assert m.kind[reader.id] == "reader"
    assert m.zones[reader.id] == (reader.zone,)
    assert m.kind[camera.id] == "camera"
    assert m.zones[camera.id] == tuple(camera.zones)
    assert m.zones[sensor.id] == (sensor.zone,)
    assert m.kind[gate.id] == "gate"
    assert m.kind[door.id] == "door"
    assert door.id not in m.zones
    assert door.id not in m.heartbeating
    assert reader.id in m.heartbeating
    assert camera.id in m.heartbeating
    assert m.zones_of([camera.id, camera.id, reader.id]) == list(dict.fromkeys([*camera.zones, reader.zone]))


def test_tampered_until_online(site: SiteConfig) -> None:
    h = DeviceHealth(site)
    h.apply_device(device("D-HV", "tamper"))
    h.apply_device(device("D-HV", "recording_started", 1))
    h.apply_device(device("D-HV", "offline", 2))
    assert h.tampered("D-HV")
    h.apply_device(device("D-HV", "online", 3))
    assert not h.tampered("D-HV")
    assert "D-HV" not in h.down


def test_silence_after_three_heartbeats(site: SiteConfig) -> None:
    h = DeviceHealth(site)
    cam = site.cameras[0].id
    h.apply_device(device(cam, "online"))
    h.expire(MONDAY_9 + h.silence - timedelta(seconds=1))
    assert cam not in h.down
    h.expire(MONDAY_9 + h.silence)
    assert h.down[cam].status == SILENT
    assert h.newly_silent == [(cam, MONDAY_9)]
    h.heard(cam, MONDAY_9 + h.silence)
    assert cam not in h.down
    again = DeviceHealth(site)
    again.load(h.save())
    assert again.save() == h.save()
