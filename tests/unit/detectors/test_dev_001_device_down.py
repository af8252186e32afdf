from datetime import datetime

from stockade.detectors.dev_001_device_down import DeviceDown


def test_blinding_several_devices_is_critical_at_once(feed):
    f = feed(DeviceDown())
    assert f.device("2026-11-24 02:01:00", "C-DOCKOUT-1", "offline") == []
    (a,) = f.device("2026-11-24 02:01:30", "C-DOCKOUT-2", "recording_stopped")
    assert a.severity == "critical"
    assert set(a.entities.devices) == {"C-DOCKOUT-1", "C-DOCKOUT-2"}
    assert "dock-out" in a.entities.zones
    (b,) = f.device("2026-11-24 02:02:00", "P-HV", "offline")  # the group grows
    assert b.severity == "critical"
    assert len(b.entities.devices) == 3
    f.tick("2026-11-24 02:10:00")
    assert len(f.alerts) == 2  # no single confirmations for grouped devices


def test_camera_reboot_is_quiet(feed):
    f = feed(DeviceDown())
    f.device("2026-11-24 10:00:00", "C-YARD-1", "offline")
    f.device("2026-11-24 10:03:50", "C-YARD-1", "online")
    f.tick("2026-11-24 10:10:00")
    assert f.alerts == []


def test_single_device_confirmed_after_the_wait(feed):
    f = feed(DeviceDown())
    f.device("2026-11-24 10:00:00", "C-YARD-1", "offline")
    assert f.tick("2026-11-24 10:04:59") == []
    (a,) = f.tick("2026-11-24 10:05:00")
    assert a.severity == "medium"
    assert a.evidence == ("ev-1",)
    assert "still down" in a.summary


def test_tamper_is_immediate(feed):
    f = feed(DeviceDown())
    (a,) = f.device("2026-11-24 10:00:00", "R-HV-1", "tamper")
    assert a.severity == "high"


def test_heartbeat_silence(feed, site):
    f = feed(DeviceDown())
    f.device("2026-11-24 10:00:00", "C-HV-1", "online")
    f.device("2026-11-24 10:04:00", "C-YARD-1", "online")
    assert f.tick("2026-11-24 10:14:59") == []  # 3 x 300 s not yet passed
    f.device("2026-11-24 10:09:00", "C-YARD-1", "online")  # slightly out of order: still fine
    (a,) = f.tick("2026-11-24 10:15:00")  # C-HV-1 silent since 10:00: reported when found
    assert "C-HV-1" in a.entities.devices
    assert a.severity == "high"  # watches a high-value zone
    assert "missed heartbeats" in a.summary


def test_door_controllers_only_on_explicit_status(feed):
    f = feed(DeviceDown())
    assert f.device("2026-11-24 10:00:00", "D-FLOOR", "recording_stopped") == []
    f.device("2026-11-24 10:00:00", "S-FENCE-N", "fault")
    (a,) = f.tick("2026-11-24 10:05:00")
    assert a.entities.devices == ("S-FENCE-N",)


def test_two_announced_reboots_are_not_a_blinding(feed):
    f = feed(DeviceDown())
    assert f.device("2026-11-26 13:21:39", "C-DOCKOUT-2", "offline", detail="rebooting") == []
    assert f.device("2026-11-26 13:21:40", "C-FLOOR-DOOR", "offline", detail="rebooting") == []
    f.device("2026-11-26 13:23:00", "C-DOCKOUT-2", "online")
    f.device("2026-11-26 13:24:00", "C-FLOOR-DOOR", "online")
    f.tick("2026-11-26 13:30:00")
    assert f.alerts == []
    f.device("2026-11-26 13:31:00", "C-YARD-1", "offline", detail="rebooting")
    (a,) = f.tick("2026-11-26 13:36:00")  # never came back
    assert a.entities.devices == ("C-YARD-1",)


def test_devices_a_change_in_the_change_window_names_may_go_down_together(feed):
    f = feed(DeviceDown())
    for cam in ("C-DOCKOUT-1", "C-DOCKOUT-2"):
        f.admin("2026-11-24 10:02", "it-01", "change_config", target=cam)  # Tuesday, in the window
    assert f.device("2026-11-24 10:10:00", "C-DOCKOUT-1", "offline") == []
    assert f.device("2026-11-24 10:10:20", "C-DOCKOUT-2", "offline") == []
    f.tick("2026-11-24 10:20")
    assert f.alerts == []
    f.device("2026-11-24 10:30", "C-STORAGE-1", "offline")  # not announced: still judged
    f.tick("2026-11-24 10:36")
    (a,) = f.alerts
    assert a.entities.devices == ("C-STORAGE-1",)
    assert a.severity == "medium"


def test_a_change_outside_the_window_or_too_long_ago_announces_nothing(feed):
    f = feed(DeviceDown())
    f.admin("2026-11-24 13:00", "it-01", "disable_device", target="C-DOCKOUT-1")  # after the window
    f.admin("2026-11-24 10:00", "it-01", "disable_device", target="C-DOCKOUT-2")
    f.device("2026-11-24 13:05", "C-DOCKOUT-1", "offline")
    (a,) = f.device("2026-11-24 13:05:30", "C-DOCKOUT-2", "offline")  # 3 h after: past announce_s
    assert a.severity == "critical"


def test_site_file_maintenance_window_covers_its_devices_only(site):
    from stockade.engine.engine import SiteEngine
    from stockade.events import Device
    from stockade.site import parse_site

    data = site.model_dump(mode="json", exclude_none=True)
    data["planned"] = [{"id": "mw-1", "kind": "maintenance", "devices": ["C-DOCKOUT-1", "C-DOCKOUT-2"],
                        "window": ["2026-11-24T01:00:00+01:00", "2026-11-24T03:00:00+01:00"]}]
    planned = parse_site(data)
    eng = SiteEngine(planned, [DeviceDown()])

    def down(n: int, t: str, dev: str) -> list[object]:
        ev = Device(id=f"ev-{n}", ts=datetime.fromisoformat(t), site=planned.site, source=dev, device=dev,
                    status="offline")
        return list(eng.step(ev, n))

    assert down(1, "2026-11-24T02:00:00+01:00", "C-DOCKOUT-1") == []
    assert down(2, "2026-11-24T02:00:30+01:00", "C-DOCKOUT-2") == []
    assert down(3, "2026-11-24T03:30:00+01:00", "C-HV-1") == []  # pending: judged after confirm_s
    assert down(4, "2026-11-24T03:30:30+01:00", "C-DOCKOUT-1") != []  # after the window: a blinding again
