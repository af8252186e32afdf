"""Strict SEF/1 decoding: each kind of bad input is named by field and reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stockade.events import Access, EventError, Stock, Tick, Video, decode_event, split_body

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


VIDEO = (b'{"id":"v1","kind":"video","ts":"2026-11-21T02:00:00Z","site":"s","source":"c","camera":"C",'
         b'"label":"person","event":"enter"')


@pytest.mark.parametrize(("extra", "field", "reason"), [
    (b',"score":true', "score", "a boolean"),
    (b',"score":1e999', "score", "finite"),
    (b',"rssi":-1e999', "rssi", "unknown field"),  # not a video field: named as such first
    (b',"score":NaN', "score", "NaN is not a JSON number"),
    (b',"dwell_s":Infinity', "dwell_s", "Infinity is not a JSON number"),
    (b',"attrs":{"a":{"b":[1,-Infinity]}}', "attrs.a.b[1]", "-Infinity is not a JSON number"),
    (b',"attrs":{"n":9007199254740993}', "attrs.n", "2^53"),
    (b',"attrs":{"n":[-9223372036854775809]}', "attrs.n[0]", "2^53"),
    (b',"dwell_s":18446744073709551617', "dwell_s", "2^53"),
    (b',"attrs":{"n":123456789012345678901234567890}', "attrs.n", "2^53"),
    (b',"count":9223372036854775808', "count", "2^53"),
    (b',"seq":18446744073709551616', "seq", "2^53"),
    (b',"attrs":{"a":"\\ud800"}', "attrs.a", "lone UTF-16 surrogate"),
    (b',"attrs":{"\\udc00":1}', "attrs", "lone UTF-16 surrogate"),
    (b',"attrs":{"a":"\xed\xa0\x80"}', "", "not UTF-8"),
    (b',"attrs":{"a":' + b"[" * 500 + b"]" * 500 + b"}", "attrs", "nested 502 levels deep"),
    (b',"attrs":{"a":' + b"[" * 15 + b"]" * 15 + b"}", "attrs", "at most 16"),
])
def test_values_no_canonical_form_can_carry_are_refused_with_the_field(extra: bytes, field: str,
                                                                      reason: str) -> None:
    got_field, got_reason = error_of(VIDEO + extra + b"}")
    assert (got_field, reason in got_reason) == (field, True), got_reason


def test_the_limits_themselves_are_accepted() -> None:
    deepest = VIDEO + b',"attrs":{"a":' + b"[" * 14 + b"]" * 14 + b',"s":"[[[[[[[[[[[[[[[[[[[["}}'
    assert decode_event(deepest).attrs is not None
    edge = decode_event(VIDEO + b',"count":9007199254740991,"attrs":{"n":-9007199254740991,"f":1e300}}')
    assert edge.attrs == {"n": -9007199254740991, "f": 1e300}


def test_an_integer_a_double_holds_exactly_is_that_double() -> None:
    """RFC 8785 writes the double 1e16 as 10000000000000000: such an integer is accepted as the double
    (2**53 and 2**63 alike), while 2**53 + 1, which no double holds, is refused (above)."""
    ev = decode_event(VIDEO + b',"dwell_s":10000000000000000,"attrs":{"a":[9223372036854775808],"b":9007199254740992}}')
    assert isinstance(ev, Video)
    assert (ev.dwell_s, type(ev.dwell_s)) == (1e16, float)
    assert ev.attrs == {"a": [2.0**63], "b": 2.0**53}
    assert type(ev.attrs["b"]) is float


def test_an_array_body_with_a_too_deep_element_still_splits() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    body = b"[" + GOOD[:-1] + b',"attrs":{"a":' + deep + b"}}, " + GOOD + b', "x,]"]'
    lines = list(split_body(body))
    assert len(lines) == 3
    assert lines[1] == GOOD
    assert "nested" in error_of(lines[0])[1]


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


def test_the_clock_limit_is_a_parameter_and_the_message_states_it() -> None:
    now = datetime(2026, 11, 21, 0, 59, 0, tzinfo=UTC)  # GOOD is 01:00Z: one minute ahead
    assert decode_event(GOOD, now=now)  # within the default 5 minutes
    field, reason = error_of(GOOD, now=now, max_future=timedelta(seconds=30))
    assert field == "ts"
    assert "more than 30 seconds ahead" in reason
