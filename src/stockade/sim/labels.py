"""Ground truth: one label per injected attack, written as ``labels.json``.

    >>> lab = Label(id="atk-1", type="tailgating", start=t0, end=t1,      # doctest: +SKIP
    ...             entities=LabelEntities(doors=["D-FLOOR"]), first_event="sim7-1042", first_ts=t0)
    >>> write_labels([lab], "labels.json")                                # doctest: +SKIP

The file is a JSON list of ``{id, type, start, end, entities, first_event,
first_ts, summary}``; ``first_event`` is the id of the attack's first
observable event and ``first_ts`` its time, from which time to detect counts.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import msgspec


class LabelEntities(msgspec.Struct, forbid_unknown_fields=True):
    people: list[str] = []
    credentials: list[str] = []
    doors: list[str] = []
    zones: list[str] = []
    epcs: list[str] = []
    trucks: list[str] = []
    devices: list[str] = []
    shipments: list[str] = []
    vendors: list[str] = []

    def pairs(self) -> set[tuple[str, str]]:
        """(type, id) for every entity, for matching against incidents."""
        out: set[tuple[str, str]] = set()
        for name in self.__struct_fields__:
            for value in getattr(self, name):
                out.add((name, value))
        return out


class Label(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    type: str
    start: datetime
    end: datetime
    entities: LabelEntities
    first_event: str
    first_ts: datetime
    summary: str = ""


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(list[Label])


def dump_labels(labels: list[Label]) -> bytes:
    """Pretty, stable JSON (one label per line) so diffs of ground truth read well."""
    if not labels:
        return b"[]\n"
    return b"[\n" + b",\n".join(_encoder.encode(lab) for lab in labels) + b"\n]\n"


def write_labels(labels: list[Label], path: str | Path) -> None:
    Path(path).write_bytes(dump_labels(labels))


def read_labels(data: bytes) -> list[Label]:
    return _decoder.decode(data)
