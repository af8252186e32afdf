"""The id space Stockade keeps for its own events, apart from the inputs' ids.

A site's log deduplicates by id, and most of Stockade's ids are predictable (an
alert's id is a hash of its detector and evidence, so that a replay writes the
same one). If an input could take such an id first, the output would be
dropped as a duplicate: a forced door would raise nothing. So every event
Stockade writes has an id beginning with one of :data:`OUTPUT_ID_PREFIXES`,
and no input may use one (ingest refuses it, field ``id``).

    >>> is_output_id("al-3f2a9c01"), is_output_id("ctl1-88121")
    (True, False)
"""

from __future__ import annotations

OUTPUT_ID_PREFIXES: dict[str, str] = {
    "al-": "alerts",
    "inc-": "incident versions",
    "dec-": "access decisions",
    "thr-": "threat-level changes",
    "adm-": "admin changes made through the API and the command line",
    "act-": "playbook actions",
    "ck-": "checkpoints",
}
"""Reserved prefix → what Stockade writes with it."""

_PREFIXES = tuple(OUTPUT_ID_PREFIXES)


def is_output_id(event_id: str) -> bool:
    """True when ``event_id`` is in Stockade's own id space."""
    return event_id.startswith(_PREFIXES)


def reserved_reason(event_id: str) -> str:
    """Why an input may not carry ``event_id`` (call only when :func:`is_output_id`)."""
    prefix = next(p for p in _PREFIXES if event_id.startswith(p))
    return (f"forbidden: ids beginning {prefix!r} are Stockade's own ({OUTPUT_ID_PREFIXES[prefix]}); "
            f"inputs may not use {', '.join(_PREFIXES)}: give the event another id")
