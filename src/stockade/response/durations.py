"""Durations in playbooks: ``90s``, ``3m``, ``4h``, ``1d`` (or a number of seconds).

    >>> seconds("3m"), seconds("90s"), seconds(45)
    (180, 90, 45)
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_FORM = re.compile(r"^(\d+)\s*([smhd])$")


def seconds(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and (m := _FORM.match(value.strip())):
        return int(m.group(1)) * _UNITS[m.group(2)]
    raise ValueError(f"{value!r} is not a duration: use a number of seconds or 90s, 3m, 4h, 1d")


Duration = Annotated[int, BeforeValidator(seconds)]
