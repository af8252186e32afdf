"""The strict reading of a JSON request body, before any model sees it.

Python's ``json`` accepts what JSON does not (``NaN``, ``Infinity``), turns
``1e999`` into infinity, keeps the last of two equal keys and lone UTF-16
surrogates, and has no depth limit of its own. Each of those has been used to
slip a value past a check (a ``score`` of ``NaN`` compares false with every
bound) or to turn a request into a 500. :func:`screen` refuses them all and
names where the value is, in FastAPI's ``loc`` form:

    >>> screen(b'{"factors": [{"type": "face", "score": NaN}]}', max_depth=32)
    Refusal(loc=('body', 'factors', 0, 'score'), msg='NaN is not a number JSON allows', type='json_invalid')
    >>> screen(b'{"a": 1}', max_depth=32) is None
    True

Event lines are not read here: ``stockade.events`` decodes them, line by line.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

MAX_DEPTH = 32
"""Default nesting limit of a JSON body (objects and arrays); the API's bodies need fewer than 5."""

INT_BOUND = 2**63
"""Integers must lie in the signed 64-bit range (what the stores and RFC 8785 peers carry)."""

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Refusal:
    loc: Loc
    msg: str
    type: str = "json_invalid"

    def detail(self) -> list[dict[str, object]]:
        """FastAPI's 422 ``detail`` shape."""
        return [{"type": self.type, "loc": list(self.loc), "msg": self.msg}]


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _constant(name: str) -> float:
    return math.nan if name == "NaN" else math.inf if name == "Infinity" else -math.inf


def _surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refusal(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN is not a number JSON allows" if math.isnan(value) else \
            "the number is infinite or beyond the float range (e.g. 1e999)"
    if isinstance(value, int) and not -INT_BOUND <= value < INT_BOUND:
        return "the integer is outside the signed 64-bit range"
    if isinstance(value, str) and _surrogate(value):
        return "the string contains a lone UTF-16 surrogate (not Unicode text)"
    return None


def screen(body: bytes, max_depth: int = MAX_DEPTH) -> Refusal | None:
    """``None`` if ``body`` is one strict JSON value within ``max_depth``, else where and why not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        return Refusal(("body",), f"the body is not UTF-8 (byte {e.start})")
    try:
        value = json.loads(text, parse_constant=_constant, object_pairs_hook=_pairs)
    except RecursionError:
        return Refusal(("body",), f"nested deeper than {max_depth} levels")
    except _Duplicate as e:
        return Refusal(("body",), str(e))
    except ValueError as e:  # JSONDecodeError, and integers past Python's digit limit
        return Refusal(("body",), f"malformed JSON: {e}")
    stack: list[tuple[object, Loc, int]] = [(value, ("body",), 0)]
    while stack:
        item, loc, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                return Refusal(loc, f"nested deeper than {max_depth} levels")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and _surrogate(key):
                    return Refusal(loc, "a key contains a lone UTF-16 surrogate (not Unicode text)")
                stack.append((child, (*loc, key), depth + 1))
            continue
        why = _refusal(item)
        if why is not None:
            return Refusal(loc, why)
    return None
