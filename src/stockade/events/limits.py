"""What a SEF/1 line may hold beyond its types: nesting, integers, and the JSON it is written in.

Every limit here exists because something after decoding (the RFC 8785 encoder, the
ledger, the store, a device's verifier) cannot carry more, so a line past one is
refused on its own, with the field and the reason, and the lines beside it are kept.

- **Nesting**: an event nests objects and arrays at most :data:`MAX_NESTING` levels,
  the event object itself being level 1 (so ``attrs`` may nest 14 levels below itself).
- **Integers**: RFC 8785 numbers are IEEE-754 doubles (I-JSON, RFC 7493 §2.2). Counters
  (``seq``, ``count``, ``antenna``, ``qty``) stay within ±(2**53 − 1) (:data:`MAX_SAFE_INTEGER`).
  In a number field (``value``, ``rssi``, ``duration_s``, …) and in ``attrs``, an integer
  beyond that is accepted only when a double holds it exactly — RFC 8785 itself writes the
  double 1e16 as ``10000000000000000`` — and is then that double; any other
  (``9007199254740993``, ``2**63 + 1``, ``10**400``) is refused at decode: no double holds it,
  so its canonical form would be a different number. 2**53 and 2**63 are exact doubles and
  are treated alike; a value that must stay exact is sent as a string.
- **Numbers**: finite. ``NaN`` and ``Infinity`` are not JSON; ``1e999`` overflows a double.
- **Text**: UTF-8, no lone surrogates (``"\\ud800"``): RFC 8785 output is UTF-8, and a lone
  surrogate has no UTF-8 form.

    >>> nesting_error(b'{"attrs":{"a":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}')
    ('attrs', 'nested 18 levels deep; an event may nest at most 16 (docs/events.md)')
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_NESTING = 16
MAX_SAFE_INTEGER = 2**53 - 1
BIG_INTEGER_REASON = (f"integer beyond ±(2^53 − 1) = ±{MAX_SAFE_INTEGER:,} that no IEEE double holds exactly: "
                      "RFC 8785 / I-JSON numbers are doubles, so its canonical form would be another number; "
                      "send it as a string")
COUNTER_REASON = (f"a counter must be within 0..2^53 − 1 = {MAX_SAFE_INTEGER:,} (RFC 8785 / I-JSON carry "
                  "integers exactly only that far)")

_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')


def nesting_error(raw: bytes) -> tuple[str, str] | None:
    """(field, reason) when ``raw`` nests deeper than :data:`MAX_NESTING`; None otherwise.

    Cheap when it is fine (two byte counts); only a line with many brackets is scanned.
    """
    if raw.count(b"[") + raw.count(b"{") <= MAX_NESTING:
        return None
    depth = deepest = 0
    key: bytes | None = None
    last_string: bytes | None = None
    field = ""
    for m in _TOKEN.finditer(raw):
        tok = m.group()
        if tok[0] == 0x22:  # a string
            last_string = tok
            continue
        if tok == b":":
            if depth == 1:
                key = last_string
        elif tok in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > MAX_NESTING and not field:
                    field = _name(key)
        elif tok in (b"]", b"}"):
            depth -= 1
        last_string = None
    if deepest <= MAX_NESTING:
        return None
    return field, f"nested {deepest} levels deep; an event may nest at most {MAX_NESTING} (docs/events.md)"


def _name(key: bytes | None) -> str:
    if key is None:
        return ""
    try:
        name = json.loads(key)
    except ValueError:
        return ""
    return name if isinstance(name, str) and name.isprintable() else ""


class NumberError(Exception):
    """An integer no double holds exactly, at ``field``."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def exact_double(n: int) -> float | None:
    """The double equal to ``n``, or None when no double holds ``n`` exactly."""
    try:
        f = float(n)
    except OverflowError:
        return None
    return f if f == n else None


def as_doubles(value: Any, path: str = "") -> Any:
    """``value`` (decoded JSON) with every integer beyond ±(2**53 − 1) made the double that holds
    it exactly; the same object when there is none. Raises :class:`NumberError` for one no double
    holds."""
    kind = type(value)
    if kind is int:
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
        f = exact_double(value)
        if f is None:
            raise NumberError(path)
        return f
    if kind is dict:
        changed: dict[str, Any] | None = None
        for k, v in value.items():
            p = as_doubles(v, f"{path}.{k}" if path else str(k))
            if p is not v:
                changed = dict(value) if changed is None else changed
                changed[k] = p
        return value if changed is None else changed
    if kind is list:
        items = [as_doubles(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return items if any(p is not v for p, v in zip(items, value, strict=True)) else value
    return value


class _Constant:
    def __init__(self, text: str) -> None:
        self.text = text


def diagnose(raw: bytes) -> tuple[str, str] | None:
    """Name the field of a line msgspec found malformed, when the cause is one of those a
    lenient reader would let through: ``NaN``/``Infinity`` or a lone surrogate.

    Only called on lines already refused, and only after :func:`nesting_error` passed them.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return "", f"not UTF-8 (byte {e.start}): RFC 8785 and SEF/1 are UTF-8 text"
    try:
        value = json.loads(text, parse_constant=_Constant)
    except (ValueError, RecursionError):
        return None
    return _find_bad(value, "")


def _find_bad(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, _Constant):
        return path, f"{value.text} is not a JSON number: RFC 8785 / I-JSON numbers are finite"
    if isinstance(value, str):
        return (path, "lone UTF-16 surrogate in a string: it has no UTF-8 form (RFC 8785 output is UTF-8)"
                ) if _has_lone_surrogate(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else k
            if _has_lone_surrogate(k):
                return path or "", "lone UTF-16 surrogate in a key: it has no UTF-8 form (RFC 8785 output is UTF-8)"
            if (found := _find_bad(v, sub)) is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if (found := _find_bad(v, f"{path}[{i}]")) is not None:
                return found
    return None


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
