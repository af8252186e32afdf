"""Frigate going offline is the blinding STK-DEV-001 exists for: the engine raises it as critical."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from stockade.connectors.frigate.mapping import CameraMaps, map_message
from stockade.events import Alert, decode_event
from stockade.pipeline.build import build_engine
from stockade.site import SiteConfig


def test_frigate_offline_becomes_a_critical_device_down_alert(site: SiteConfig, cams: CameraMaps) -> None:
    engine = build_engine(site)
    now = datetime(2026, 11, 24, 2, 1, tzinfo=UTC)
    outputs = []
    for raw in map_message(cams, "frigate", "frigate/available", b"offline", now):
        outputs += engine.step(decode_event(json.dumps(raw).encode()))
    alerts = [o for o in outputs if isinstance(o, Alert) and o.detector == "STK-DEV-001"]
    assert alerts, outputs
    assert alerts[-1].severity == "critical"
    assert set(alerts[-1].entities.devices) == {c.camera for c in cams.by_frigate.values()}


def test_recording_stopped_on_two_cameras_is_critical(site: SiteConfig, cams: CameraMaps) -> None:
    engine = build_engine(site)
    outputs = []
    for i, name in enumerate(("front", "front_door")):
        now = datetime(2026, 11, 24, 2, 1, 10 * i, tzinfo=UTC)
        for raw in map_message(cams, "frigate", f"frigate/{name}/status/record", b"offline", now):
            outputs += engine.step(decode_event(json.dumps(raw).encode()))
    (alert,) = [o for o in outputs if isinstance(o, Alert) and o.detector == "STK-DEV-001"]
    assert alert.severity == "critical"
    assert set(alert.entities.devices) == {"C-DOCKOUT-1", "C-DOCKOUT-2"}
