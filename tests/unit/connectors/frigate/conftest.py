"""The demo site with some cameras mapped to the Frigate camera names of the recorded payloads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stockade.connectors.frigate.mapping import CameraMaps
from stockade.site import SiteConfig, load_site

VECTORS = Path(__file__).parent / "vectors"  # recorded payloads; where each came from: vectors/README.md
DEMO = Path(__file__).resolve().parents[4] / "examples" / "sites" / "dc-demo.yaml"

FRIGATE = {
    "C-DOCKOUT-1": {"camera": "front_door", "zones": {"street": "yard", "yard": "yard", "driveway": "dock-out"},
                    "loitering": {"driveway": 30}},
    "C-DOCKOUT-2": {"camera": "front"},
    "C-YARD-1": {"camera": "Front_Garden"},
    "C-YARD-2": {"camera": "CAM-Frontyard"},
    "C-GATE-1": {"camera": "front_cam", "zones": {"front_yard": "yard"}},
    "C-LOBBY": {"camera": "driveway_cam"},
}


def frigate_site(tmp: Path, mapping: dict[str, dict[str, object]] | None = None) -> SiteConfig:
    raw = yaml.safe_load(DEMO.read_text())
    for cam in raw["cameras"]:
        if cam["id"] in (mapping or FRIGATE):
            cam["frigate"] = (mapping or FRIGATE)[cam["id"]]
    path = tmp / "dc-demo.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_site(path)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    return frigate_site(tmp_path_factory.mktemp("frigate-site"))


@pytest.fixture(scope="session")
def cams(site: SiteConfig) -> CameraMaps:
    return CameraMaps.of_site(site)
