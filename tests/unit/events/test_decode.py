"""Strict SEF/1 decoding: each kind of bad input is named by field and reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stockade.events import Access, EventError, Stock, Tick, decode_event, split_body

GOOD = b'{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00+01:00","site":"s","source":"bus"}'


def error_of(line: bytes, **kw: object) -> tuple[str, str]:
    with pytest.raises(EventError) as info:
        decode_event(line, **kw)  # type: ignore[arg-type]
    return info.value.field, info.value.reason


def test_decodes_each_kind_to_its_struct() -> None:
    assert isinstance(decode_event(GOOD), Tick)
    access = decode_event(
        b'{"id":"a","kind":"access","ts":"2026-11-21T02:00:00Z","site":"s","source":"c","door":"D",'
        b'"result":"granted","factors":["badge","pin"],"subject":"emp-1","direction":"in"}')
    assert isinstance(access, Access)
    assert access.factors == ["badge", "pin"]
    stock = decode_event(
        b'{"id":"p","kind":"stock","ts":"2026-11-21T02:00:00Z","site":"s","source":"wms","op":"pick",'
        b'"from":"storage/A-1","epcs":["x"],"order":"o1"}')
    assert isinstance(stock, Stock)
    assert stock.from_ == "storage/A-1"


@pytest.mark.parametrize(("line", "field", "reason"), [
    (b'{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00Z","site":"s","source":"b","x":1}', "x", "unknown field"),
    (b'{"id":"e1","kind":"nope","ts":"2026-11-21T02:00:00Z","site":"s","source":"b"}', "kind", "unknown kind"),
    (b'{"id":"e1","ts":"2026-11-21T02:00:00Z","site":"s","source":"b"}', "kind", "missing"),
    (b'{"id":"a b","kind":"tick","ts":"2026-11-21T02:00:00Z","site":"s","source":"b"}', "id", "1-128"),
    (b'{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00","site":"s","source":"b"}', "ts", "RFC 3339"),
    (b'{"id":"e1","kind":"tick","ts":"yesterday","site":"s","source":"b"}', "ts", "RFC 3339"),
    (b'{"id":1,"kind":"tick","ts":"2026-11-21T02:00:00Z","site":"s","source":"b"}', "id", "Expected `str`"),
    (b'{"id":"e1","kind":"door","ts":"2026-11-21T02:00:00Z","site":"s","source":"b","state":"open"}',
     "door", "missing required field"),
    (b'{"id":"e1","kind":"door","ts":"2026-11-21T02:00:00Z","site":"s","source":"b","door":"D","state":"ajar"}',
     "state", "Invalid enum value"),
    (b'{"id":"e1","kind":"access","ts":"2026-11-21T02:00:00Z","site":"s","source":"b","door":"D",'
     b'"result":"granted","factors":["badge","retina"]}', "factors[1]", "Invalid enum value"),
    (b'{"id":"e1","kind":"tick","ts":"2026-11-21T02:00:00Z","site":"s","source":"b","seq":-1}',
     "seq", ">= 0"),
    (b'{"id":"e1","kind":"tick"', "", "malformed JSON"),
])
def test_bad_input_names_field_and_reason(line: bytes, field: str, reason: str) -> None:
    got_field, got_reason = error_of(line)
    assert got_field == field
    assert reason in got_reason


def test_ts_too_far_ahead_is_rejected_only_when_a_clock_is_given() -> None:
    now = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert error_of(GOOD, now=now)[0] == "ts"  # 02:00+01:00 is 01:00Z, one hour ahead
    assert decode_event(GOOD, now=datetime(2026, 11, 21, 0, 56, tzinfo=UTC))
    assert decode_event(GOOD)  # offline analysis applies no such rule


def test_split_body_handles_ndjson_and_arrays() -> None:
    assert list(split_body(b"a\n\n b \n")) == [b"a", b" b "]
    assert list(split_body(b' [{"a":1}, {"b":2}]')) == [b'{"a":1}', b'{"b":2}']
    with pytest.raises(EventError, match="JSON array"):
        list(split_body(b"[{"))
