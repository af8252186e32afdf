"""The engine loop resumes from a typed snapshot, and rebuilds from the log when the snapshot was taken
with another site file or catalogue, without writing again the outputs the log already holds."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from stockade.events import Envelope
from stockade.pipeline.build import build_engine
from stockade.pipeline.loop import EngineLoop
from stockade.site import SiteConfig, load_site
from tests.unit.engine.test_engine_fold import _stream

DEMO = Path(__file__).resolve().parents[3] / "examples" / "sites" / "dc-demo.yaml"


class MemorySnapshots:
    def __init__(self) -> None:
        self.saved: dict[str, tuple[int, bytes]] = {}

    def save_snapshot(self, site: str, seq: int, data: bytes) -> None:
        self.saved[site] = (seq, data)

    def load_snapshot(self, site: str) -> tuple[int, bytes] | None:
        return self.saved.get(site)


class Sink:
    def __init__(self) -> None:
        self.outputs: list[Envelope] = []

    def __call__(self, _site: str, outputs: Sequence[Envelope]) -> None:
        self.outputs.extend(outputs)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(DEMO)


@pytest.fixture(scope="module")
def log(site: SiteConfig) -> list[tuple[int, Envelope]]:
    return list(enumerate(_stream(site, 2500, seed=5), 1))


def _loop(site: SiteConfig, snapshots: MemorySnapshots, sink: Sink) -> EngineLoop:
    return EngineLoop({site.site: site}, build_engine, sink, snapshots, snapshot_every=1000)


def test_a_restart_resumes_from_the_snapshot_and_gives_the_straight_outputs(
        site: SiteConfig, log: list[tuple[int, Envelope]]) -> None:
    straight = Sink()
    _loop(site, MemorySnapshots(), straight).replay(site.site, log)
    snapshots, sink = MemorySnapshots(), Sink()
    first = _loop(site, snapshots, sink)
    first.replay(site.site, log[:1500])
    seq, _ = snapshots.saved[site.site]
    assert seq == 1000
    again = _loop(site, snapshots, sink)
    again.engine(site.site)
    assert again.last_seq[site.site] == seq
    assert site.site not in again.refused
    again.replay(site.site, log)  # the whole log: what the snapshot covers is skipped
    assert {o.id for o in sink.outputs} == {o.id for o in straight.outputs}


def test_a_snapshot_of_an_older_site_file_is_refused_and_the_state_rebuilt(
        site: SiteConfig, log: list[tuple[int, Envelope]]) -> None:
    snapshots, sink = MemorySnapshots(), Sink()
    _loop(site, snapshots, sink).replay(site.site, log[:1500])
    changed = site.model_copy(update={"walk_s_per_hop": 45})
    rebuilt_sink = Sink()
    rebuilt = _loop(changed, snapshots, rebuilt_sink)
    rebuilt.engine(site.site)
    assert rebuilt.last_seq[site.site] == 0
    assert "site file changed" in rebuilt.refused[site.site]
    rebuilt.replay(site.site, log)
    fresh_sink = Sink()
    _loop(changed, MemorySnapshots(), fresh_sink).replay(site.site, log)
    # the rebuilt engine ends where an engine with the new site file from the start would, and writes
    # only the outputs of events after those the refused snapshot covered (the log has the earlier ones)
    after = {o.id for o in fresh_sink.outputs if o.ts > log[999][1].ts}
    assert {o.id for o in rebuilt_sink.outputs} <= {o.id for o in fresh_sink.outputs}
    assert after <= {o.id for o in rebuilt_sink.outputs}
    assert rebuilt.engine(site.site).state.events_seen == len(log)


def test_garbage_in_the_snapshot_table_is_refused_and_rebuilt(site: SiteConfig) -> None:
    snapshots = MemorySnapshots()
    snapshots.saved[site.site] = (700, b"\x80\x04garbage")
    loop = _loop(site, snapshots, Sink())
    loop.engine(site.site)
    assert loop.last_seq[site.site] == 0
    assert "not a Stockade engine snapshot" in loop.refused[site.site]


def test_a_playbook_action_on_the_wall_clock_does_not_move_the_sites_event_time(site: SiteConfig) -> None:
    from datetime import UTC, datetime, timedelta

    from stockade.events import Action, Door

    sink = Sink()
    loop = EngineLoop({site.site: site}, build_engine, sink, MemorySnapshots(), snapshot_every=1_000_000)
    t0 = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
    base = {"site": site.site, "source": "ctl-1"}
    loop.apply(site.site, 1, Door(id="d1", ts=t0, door="D-HV", state="closed", **base))
    later = t0 + timedelta(days=15)  # a step logged now, while the site's events are from two weeks ago
    loop.apply(site.site, 2, Action(id="act-x:sent", ts=later, site=site.site, source="stockade:response",
                                    action="notify", outcome="sent"))
    loop.apply(site.site, 3, Door(id="d2", ts=t0 + timedelta(seconds=30), door="D-HV", state="forced", **base))
    assert loop.late.get(site.site, 0) == 0
    assert [getattr(o, "detector", None) for o in sink.outputs if o.kind == "alert"] == ["STK-DOR-001"]


def test_a_late_revocation_takes_the_zone_in_the_engine_as_at_the_door(site: SiteConfig) -> None:
    """A late admin event raises nothing, but its facts are folded: the engine's "may be there"
    follows a late revoke_access, as the decision point's facts do (they fold every committed event)."""
    from datetime import UTC, datetime, timedelta

    from stockade.access.facts import Facts
    from stockade.events import Admin, Door

    loop = EngineLoop({site.site: site}, build_engine, Sink(), MemorySnapshots(), snapshot_every=1_000_000)
    t0 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    grant = Admin(id="g1", ts=t0, site=site.site, source="iam", actor="it-01", action="grant_access",
                  target="emp-1023", zone="hv-cage", end=t0 + timedelta(days=2))
    loop.apply(site.site, 1, grant)
    loop.apply(site.site, 2, Door(id="d1", ts=t0 + timedelta(hours=1), site=site.site, source="ctl-1",
                                  door="D-HV", state="closed"))
    revoke = Admin(id="r1", ts=t0 + timedelta(minutes=5), site=site.site, source="iam", actor="it-01",
                   action="revoke_access", target="emp-1023", zone="hv-cage")
    facts = Facts(site)
    for event in (grant, revoke):
        facts.observe(event)
    state = loop.engine(site.site).state
    person = state.people.person_of("emp-1023")
    assert person is not None
    now = t0 + timedelta(hours=1)
    assert state.people.allowed(person, "hv-cage", now) is True  # the grant stands
    loop.apply(site.site, 3, revoke)  # 55 minutes behind the site's clock: late
    assert loop.late[site.site] == 1
    assert state.people.allowed(person, "hv-cage", now) is False
    assert facts.may_be_in(person, "hv-cage", now) is False
