"""Templates and the filters they use: every time in the site's local time with its offset.

    >>> local_time("2026-11-21T01:14:03Z", "Europe/Paris")
    '2026-11-21 02:14:03 +01:00'
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
THREAT_RANK = {"normal": 0, "elevated": 1, "lockdown": 2}


def local_time(value: str | datetime | None, tz: str | None) -> str:
    """An RFC 3339 time shown in the site's zone, with its UTC offset (``±HH:MM``)."""
    if value is None or value == "":
        return "—"
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if tz:
        when = when.astimezone(ZoneInfo(tz))
    text = when.strftime("%Y-%m-%d %H:%M:%S %z")
    return text[:-2] + ":" + text[-2:]


def worst_threat(levels: dict[str, str]) -> str:
    return max(levels.values(), key=lambda lv: THREAT_RANK.get(lv, 0), default="normal")


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATES))
    t.env.filters["local"] = local_time
    t.env.globals["severity_rank"] = SEVERITY_RANK
    return t


RENDERED = 1024
"""How many alerts' SSE messages are kept rendered: every dashboard on a site gets the same bytes."""


class Rendered:
    """Each alert rendered once, whatever the number of dashboards watching (used on the event loop only)."""

    def __init__(self, size: int = RENDERED) -> None:
        self._size = size
        self._messages: OrderedDict[tuple[str, int], bytes] = OrderedDict()

    def message(self, site: str, seq: int, render: Callable[[], str]) -> bytes:
        key = (site, seq)
        found = self._messages.get(key)
        if found is None:
            html = render()
            data = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
            found = self._messages[key] = f"event: alert\n{data}\n".encode()
            if len(self._messages) > self._size:
                self._messages.popitem(last=False)
        return found

