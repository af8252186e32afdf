"""The strict JSON screen: every value JSON and the stores can carry passes; everything else is named."""

from __future__ import annotations

import pytest

from stockade.api.json_screen import screen


@pytest.mark.parametrize("body", [
    b'{"a": 1, "b": [1.5, -2, "x", true, null], "c": {"d": "\\ud83d\\ude00"}}',
    b"[]", b'"text"', b"9223372036854775807", b"-9223372036854775808", b"1e308",
    b'{"a": ' + b"[" * 31 + b"]" * 31 + b"}",
])
def test_valid_json_passes(body: bytes) -> None:
    assert screen(body) is None


@pytest.mark.parametrize(("body", "loc", "words"), [
    (b'{"a": NaN}', ("body", "a"), "NaN"),
    (b'{"a": [1, Infinity]}', ("body", "a", 1), "infinite"),
    (b'{"a": -Infinity}', ("body", "a"), "infinite"),
    (b'{"a": 1e999}', ("body", "a"), "infinite"),
    (b'{"a": 9223372036854775808}', ("body", "a"), "64-bit"),
    (b'{"a": "\\udc00"}', ("body", "a"), "surrogate"),
    (b'{"\\ud800": 1}', ("body",), "key"),
    (b'{"a": 1, "a": 2}', ("body",), "twice"),
    (b'{"a": ' + b"[" * 32 + b"]" * 32 + b"}", ("body", "a", *[0] * 31), "deeper than 32"),
    (b"[" * 100_000 + b"]" * 100_000, ("body",), "deeper than 32"),
    (b'{"a": ', ("body",), "malformed JSON"),
    (b'{"a": "\xff"}', ("body",), "not UTF-8"),
])
def test_hostile_json_is_refused_where_it_is(body: bytes, loc: tuple[object, ...], words: str) -> None:
    refusal = screen(body)
    assert refusal is not None
    assert refusal.loc == loc
    assert words in refusal.msg


def test_depth_limit_is_the_callers() -> None:
    assert screen(b"[[[1]]]", max_depth=3) is None
    refusal = screen(b"[[[[1]]]]", max_depth=3)
    assert refusal is not None
    assert refusal.loc == ("body", 0, 0, 0)
