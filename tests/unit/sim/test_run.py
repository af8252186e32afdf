from __future__ import annotations

import io

import msgspec

from stockade.events import decode_event
from stockade.sim.labels import dump_labels
from stockade.sim.run import FileSink, simulate
from stockade.sim.scenario import ATTACK_TYPES, CATALOGUE_TYPES, NOVEL_TYPES, load_scenario
from tests.unit.sim.conftest import ROOT, make, run


def _bytes(seed: int) -> tuple[bytes, bytes]:
    sc = make(duration="1d", seed=seed, attacks=[{"type": "blind_and_grab", "day": 0, "time": "02:00"},
                                                 {"type": "tailgating"}],
              signing={"sources": ["G-1", "P-HV"]})
    buf = io.BytesIO()
    result = simulate(sc, FileSink(buf))
    return buf.getvalue(), dump_labels(result.labels)


def test_same_seed_gives_byte_identical_output() -> None:
    a, b = _bytes(4), _bytes(4)
    assert a == b
    assert a != _bytes(5)[0]


def test_every_attack_type_is_labelled_completely(all_attacks) -> None:  # type: ignore[no-untyped-def]
    result, sink = all_attacks
    ids = {e.id: e for e in sink.events}
    assert sorted(lab.type for lab in result.labels) == sorted(ATTACK_TYPES)
    for lab in result.labels:
        assert lab.first_event in ids, lab.type
        assert ids[lab.first_event].ts == lab.first_ts
        assert lab.start <= lab.first_ts <= lab.end
        assert lab.entities.pairs(), lab.type
        assert lab.summary


def test_all_output_decodes_in_event_time_order(all_attacks) -> None:  # type: ignore[no-untyped-def]
    _, sink = all_attacks
    enc = msgspec.json.Encoder()
    prev = None
    seqs: dict[str, int] = {}
    for ev in sink.events:
        back = decode_event(enc.encode(ev))
        assert back == ev
        assert prev is None or ev.ts >= prev
        prev = ev.ts
        if ev.seq is not None:
            assert ev.seq > seqs.get(ev.source, -1)
            seqs[ev.source] = ev.seq


def test_quiet_week_has_no_attacks() -> None:
    sc = load_scenario(ROOT / "examples" / "scenarios" / "quiet-week.yaml")
    assert sc.attacks == []
    short = make(duration="1d", seed=sc.model.seed)
    result, sink = run(short)
    assert result.labels == []
    assert sink.events


def test_example_per_attack_type_exists() -> None:
    found = set()
    for p in (ROOT / "examples" / "scenarios").glob("attack-*.yaml"):
        found |= {a.type for a in load_scenario(p).attacks}
    assert found == set(CATALOGUE_TYPES)
    novel = [load_scenario(p) for p in (ROOT / "examples" / "scenarios-novel").glob("*.yaml")]
    assert {a.type for sc in novel for a in sc.attacks} == set(NOVEL_TYPES)
    assert {sc.model.tier for sc in novel} == {"novel"}


def test_opening_balances_come_first_and_devices_heartbeat() -> None:
    _, sink = run(make(duration="6h"))
    first = sink.events[0]
    assert first.kind == "stock"
    assert first.attrs is None
    assert getattr(first, "reason", None) == "opening_balance"
    beats = [e for e in sink.events if e.kind == "device" and getattr(e, "device", "") == "C-HV-1"]
    assert 6 * 12 - 2 <= len(beats) <= 6 * 12 + 1
