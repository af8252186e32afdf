"""The canonical encoding equals the RFC 8785 reference for every event and value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from stockade.events import EventError, Tag, canonical_event, canonical_json
from stockade.events.model import Event

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_any_json_value_matches_the_reference(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(
    rssi=st.floats(min_value=-120, max_value=0, allow_nan=False),
    epc=st.text(min_size=1, max_size=40),
    attrs=st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    offset_min=st.integers(-12 * 60, 14 * 60),
)
def test_events_match_the_reference(rssi: float, epc: str, attrs: dict[str, object] | None,
                                    offset_min: int) -> None:
    tz = timezone(timedelta(minutes=offset_min)) if offset_min else UTC
    ev = Tag(id="t1", ts=datetime(2026, 11, 21, 2, 0, 0, 500000, tzinfo=tz), site="s", source="r",
             reader="R-1", epc=epc, rssi=rssi, attrs=attrs)
    reference = rfc8785.dumps(msgspec.to_builtins(ev))
    assert canonical_event(ev) == reference


def test_entry_round_trips_to_the_same_event() -> None:
    ev = Tag(id="t1", ts=datetime(2026, 11, 21, 2, tzinfo=UTC), site="s", source="r", reader="R", epc="e",
             rssi=-61.5)
    entry = canonical_event(ev)
    assert entry.startswith(b'{"epc":"e","id":"t1","kind":"tag"')
    assert msgspec.json.decode(entry, type=Event) == ev


def test_integral_floats_are_written_as_integers() -> None:
    assert canonical_json({"v": 1.0, "w": 1e-7}) == b'{"v":1,"w":1e-7}'


def test_values_outside_i_json_are_an_event_error() -> None:
    with pytest.raises(EventError, match="I-JSON"):
        canonical_json({"n": 2**60})
