"""The canonical encoding equals RFC 8785 for every event and value, checked against the
vectors the RFC's authors publish (tests/unit/events/vectors/) and against the reference
implementation (the ``rfc8785`` package) with hypothesis."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest
import rfc8785
from hypothesis import example, given
from hypothesis import strategies as st

from stockade.events import EventError, Sensor, Tag, canonical_event, canonical_json
from stockade.events.model import Event
from tests.unit.events.es6_numbers import PUBLISHED_SHA256, as_float, sequence

VECTORS = Path(__file__).parent / "vectors"
SAFE = 2**53 - 1

numbers = (st.integers(-SAFE, SAFE) | st.floats(allow_nan=False, allow_infinity=False)
           | st.integers(-(2**60), 2**60).map(float))  # whole-number floats, small and beyond 2**53
json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def _tag(**fields: object) -> Tag:
    return Tag(id="t1", ts=datetime(2026, 11, 21, 2, 0, 0, 500000, tzinfo=UTC), site="s", source="r",
               reader="R-1", epc="e", **fields)  # type: ignore[arg-type]


@given(json_values)
@example({"a": 2.0})
@example([{"a": [1.0, -0.0]}])
def test_any_json_value_matches_the_reference(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(
    rssi=st.floats(min_value=-120, max_value=0, allow_nan=False),
    epc=st.text(min_size=1, max_size=40),
    attrs=st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    offset_min=st.integers(-12 * 60, 14 * 60),
)
@example(rssi=-61.5, epc="e", attrs={"a": 2.0}, offset_min=0)  # was written "2.0" (issue 9.1)
@example(rssi=-61.0, epc="e", attrs={"l": [1.0, {"m": 3.0}]}, offset_min=60)
def test_events_match_the_reference(rssi: float, epc: str, attrs: dict[str, object] | None,
                                    offset_min: int) -> None:
    tz = timezone(timedelta(minutes=offset_min)) if offset_min else UTC
    ev = Tag(id="t1", ts=datetime(2026, 11, 21, 2, 0, 0, 500000, tzinfo=tz), site="s", source="r",
             reader="R-1", epc=epc, rssi=rssi, attrs=attrs)
    reference = rfc8785.dumps(msgspec.to_builtins(ev))
    assert canonical_event(ev) == reference


def test_a_whole_number_float_in_attrs_is_written_as_an_integer() -> None:
    """The failing example of issue 9: ``2 == 2.0`` in Python hid the change from the fast path."""
    entry = canonical_event(_tag(attrs={"a": 2.0, "b": [3.0, {"c": -0.0}]}))
    assert b'"attrs":{"a":2,"b":[3,{"c":0}]}' in entry
    assert canonical_event(_tag(rssi=-61.0)).count(b'"rssi":-61,') == 1


def test_entry_round_trips_to_the_same_event() -> None:
    ev = Tag(id="t1", ts=datetime(2026, 11, 21, 2, tzinfo=UTC), site="s", source="r", reader="R", epc="e",
             rssi=-61.5)
    entry = canonical_event(ev)
    assert entry.startswith(b'{"epc":"e","id":"t1","kind":"tag"')
    assert msgspec.json.decode(entry, type=Event) == ev


def test_integral_floats_are_written_as_integers() -> None:
    assert canonical_json({"v": 1.0, "w": 1e-7}) == b'{"v":1,"w":1e-7}'


@pytest.mark.parametrize("big", [2**53 + 1, -(2**53) - 1, 2**63 + 1, 2**64 + 1, 10**30 + 1, 10**400])
def test_integers_no_double_holds_are_an_event_error(big: int) -> None:
    """One treatment everywhere: an integer beyond ±(2**53 - 1) that no double holds has no RFC 8785 form."""
    for value in ({"n": big}, [big], big):
        with pytest.raises(EventError, match="I-JSON"):
            canonical_json(value)
    with pytest.raises(EventError, match="I-JSON"):
        canonical_event(_tag(antenna=big))


@pytest.mark.parametrize("big", [2**53, -(2**53), 2**63, 2**64, 2**100, 10**16])
def test_integers_a_double_holds_are_written_as_that_double(big: int) -> None:
    assert canonical_json({"n": big}) == rfc8785.dumps({"n": float(big)})
    assert canonical_json(float(big)) == canonical_json(big)


def _published_lines() -> list[tuple[float, bytes]]:
    data = (VECTORS / "es6-numbers-1000.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == PUBLISHED_SHA256[1000], "the vector file is not the authors'"
    out = []
    for line in data.splitlines():
        bits, expected = line.split(b",")
        out.append((as_float(int(bits, 16)), expected))
    return out


def test_es6_number_vectors_in_every_position() -> None:
    """Each of the authors' first 1,000 numbers, bare, in attrs, in a list, in a typed field."""
    wrong = []
    for f, expected in _published_lines():
        got = {
            "bare": canonical_json(f),
            "attrs": canonical_json({"n": f}),
            "list": canonical_json([f, {"n": [f]}]),
            "field": canonical_event(Sensor(id="s1", ts=datetime(2026, 11, 21, tzinfo=UTC), site="s",
                                            source="x", sensor="S", zone="z", type="beam", value=f,
                                            attrs={"n": f})),
        }
        want = {
            "bare": expected,
            "attrs": b'{"n":' + expected + b"}",
            "list": b"[" + expected + b',{"n":[' + expected + b"]}]",
        }
        for where, bytes_ in got.items():
            if where == "field":
                ok = (b'"value":' + expected + b",") in bytes_ and (b'{"n":' + expected + b"}") in bytes_
            else:
                ok = bytes_ == want[where]
            if not ok:
                wrong.append((f.hex(), where, bytes_, expected))
    assert wrong == []


def test_es6_numbers_hash_to_the_authors_published_checksum() -> None:
    """100,000 numbers of the authors' sequence through Stockade's encoder give their file exactly."""
    digest = hashlib.sha256()
    for bits in itertools.islice(sequence(), 100_000):
        digest.update(b"%x,%s\n" % (bits, canonical_json(as_float(bits))))
    assert digest.hexdigest() == PUBLISHED_SHA256[100_000]


@pytest.mark.parametrize("name", ["arrays", "french", "structures", "unicode", "values", "weird"])
def test_the_authors_documents_canonicalize_byte_for_byte(name: str) -> None:
    source = json.loads((VECTORS / "jcs" / "input" / f"{name}.json").read_text(encoding="utf-8"))
    expected = (VECTORS / "jcs" / "output" / f"{name}.json").read_bytes()
    assert canonical_json(source) == expected
