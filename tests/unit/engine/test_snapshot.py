"""Engine snapshots are versioned, typed data: they resume exactly, and anything they were not taken
with (another site file, catalogue, parameters, format) or anything that is not one is refused with a
reason, never executed."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import msgspec
import pytest

from stockade.detectors.registry import all_detectors
from stockade.engine.correlation import Correlator
from stockade.engine.engine import SiteEngine
from stockade.engine.errors import SnapshotRefused
from stockade.engine.risk import RiskModel
from stockade.engine.snapshot import FORMAT, VERSION, read_header
from stockade.events import Envelope, Incident
from stockade.pipeline.build import build_engine
from stockade.site import SiteConfig, load_site
from tests.unit.engine.test_engine_fold import _stream

DEMO = Path(__file__).resolve().parents[3] / "examples" / "sites" / "dc-demo.yaml"


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(DEMO)


@pytest.fixture(scope="module")
def events(site: SiteConfig) -> list[Envelope]:
    return _stream(site, 4000, seed=11)


def _run(engine: SiteEngine, events: list[Envelope], start: int = 0) -> list[Envelope]:
    return [o for i, e in enumerate(events, start) for o in engine.step(e, i)]


def test_a_restored_engine_gives_the_outputs_of_a_straight_run(site: SiteConfig, events: list[Envelope]) -> None:
    expected = _run(build_engine(site), events)
    assert any(isinstance(o, Incident) for o in expected), "the stream should open incidents"
    first = build_engine(site)
    got = _run(first, events[:2300])
    data = first.snapshot()
    resumed = build_engine(site)
    resumed.restore(data)
    got += _run(resumed, events[2300:], 2300)
    assert got == expected
    assert resumed.risk is not None
    assert first.risk is not None
    now = resumed.state.now
    assert now is not None
    assert resumed.risk.top("zone", 5, now) == first.risk.top("zone", 5, now)


def test_a_snapshot_is_json_with_a_header_and_names_no_code(site: SiteConfig, events: list[Envelope]) -> None:
    engine = build_engine(site)
    _run(engine, events[:500])
    data = engine.snapshot()
    header = read_header(data)
    assert (header.format, header.version, header.site) == (FORMAT, VERSION, site.site)
    head, body = data.split(b"\n", 1)
    assert isinstance(msgspec.json.decode(head), dict)
    assert isinstance(msgspec.json.decode(body), dict)
    assert b"stockade.engine" not in body
    assert b"__" not in body


def _refusal(engine: SiteEngine, data: bytes) -> str:
    with pytest.raises(SnapshotRefused) as info:
        engine.restore(data)
    return info.value.reason


def test_a_changed_site_file_refuses_the_snapshot(site: SiteConfig, events: list[Envelope]) -> None:
    engine = build_engine(site)
    _run(engine, events[:500])
    faster = site.model_copy(update={"walk_s_per_hop": site.walk_s_per_hop + 5})
    assert "site file changed" in _refusal(build_engine(faster), engine.snapshot())


def test_a_changed_catalogue_or_parameter_refuses_the_snapshot(site: SiteConfig, events: list[Envelope]) -> None:
    engine = build_engine(site)
    _run(engine, events[:500])
    data = engine.snapshot()
    fewer = SiteEngine(site, all_detectors()[:-1], Correlator(site), RiskModel(site))
    tuned = SiteEngine(site, all_detectors({"STK-ACC-002": {"threshold": 9}}), Correlator(site), RiskModel(site))
    for other in (fewer, tuned):
        assert "detector catalogue or its parameters changed" in _refusal(other, data)


def test_wrong_versions_garbage_and_damage_are_refused_with_a_reason(site: SiteConfig,
                                                                     events: list[Envelope]) -> None:
    engine = build_engine(site)
    _run(engine, events[:300])
    data = engine.snapshot()
    head, body = data.split(b"\n", 1)
    old = msgspec.json.encode({**msgspec.json.decode(head), "version": VERSION + 1}) + b"\n" + body
    assert f"version {VERSION + 1}" in _refusal(build_engine(site), old)
    assert "not a Stockade engine snapshot" in _refusal(build_engine(site), b"\x00\x01garbage")
    assert "not a Stockade engine snapshot" in _refusal(build_engine(site), b"{}\n{}")
    assert "damaged" in _refusal(build_engine(site), head + b"\n" + body[: len(body) // 2])


class _Boom:
    """What an attacker with write access to a shared store would plant."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_in_the_store_is_refused_and_never_run(site: SiteConfig, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    planted = pickle.dumps(_Boom(marker))
    reason = _refusal(build_engine(site), planted)
    assert "not a Stockade engine snapshot" in reason
    assert not marker.exists()


def test_no_pickle_anywhere_in_the_source() -> None:
    src = Path(__file__).resolve().parents[3] / "src"
    offenders = [str(p.relative_to(src)) for p in src.rglob("*.py") if "pickle" in p.read_text(encoding="utf-8")]
    assert offenders == []


# What each state part does not save, because the site file gives it (or it is a cache that refills).
DERIVED = {
    "clock": {"site", "_local", "_local_ts", "_open", "_open_minute"},
    "people": {"site", "positions", "rights", "where", "visits", "inside_since",  # the live part's, saved with it
               "_off_since"},  # where the off-shift cache begins: a cache, asked again once after a restore
    "doors": set(),
    "zones": set(),
    "devices": {"map", "heartbeating", "silence"},
    "stock": {"zone_names", "zone_index", "reader_zone", "reader_zone_index", "zone_locs", "_locs"},
    "gates": set(),
}


@pytest.mark.parametrize("part", sorted(DERIVED))
def test_every_state_part_saves_all_it_folds(site: SiteConfig, part: str) -> None:
    """A new attribute of a state part must be saved (or listed above as derived), or a restart
    would silently forget it."""
    obj = getattr(build_engine(site).state, part)
    names = set(getattr(obj, "__slots__", ())) | set(getattr(obj, "__dict__", {}))
    saved = {f.lstrip("_") for f in type(obj.save()).__struct_fields__}
    unsaved = {n for n in names if n.lstrip("_") not in saved} - DERIVED[part]
    assert unsaved == set()
