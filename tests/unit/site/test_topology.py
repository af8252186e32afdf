from __future__ import annotations

from pathlib import Path

from stockade.site import Topology, load_site


def test_zone_and_door_distances_on_the_demo_site(demo_site_path: Path) -> None:
    topo = Topology.of(load_site(demo_site_path))
    assert topo.zone_hops("storage", "storage") == 0
    assert topo.zone_hops("storage", "hv-cage") == 1
    assert topo.zone_hops("yard", "hv-cage") == 3
    assert topo.door_hops("D-HV", "D-PACK") == 0  # both open onto storage
    assert topo.door_hops("D-LOBBY", "D-HV") == 2
    assert topo.min_transit_s(2) == 40
    assert topo.door_hops("D-LOBBY", "D-NOWHERE") > 1000
