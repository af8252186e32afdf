"""The messages between a node and its engine worker: tagged msgspec structs, encoded as MessagePack.

The node's process is the only writer of the log; the worker runs the engine.
Each message is one struct with a ``type`` tag, so the same bytes could travel
on a NATS subject between a cluster's API nodes and workers unchanged. Nothing
here is serialised as Python objects: a message names no code, only data.

    node → worker                                   worker → node
    -------------                                   -------------
    Start(sites, snapshot_every, store)
    Resume(site, snapshot)              ──▶         Resumed(site, seq, risk, refused, now)
    Batch(site, entries)                ──▶         Applied(site, seq, outputs, risk | None)
                                                    SnapshotTaken(site, seq, data)  every N events
                                                    BatchFailed(site, first, last, traceback)
    Stop()                              ──▶         SnapshotTaken(...) per site, then Stopped()

    >>> wire = encode(Batch(site="dc-demo", entries=[LogEntry(1, b"{}")]))
    >>> decode_to_worker(wire)
    Batch(site='dc-demo', entries=[LogEntry(seq=1, entry=b'{}')])

Snapshots (``engine.snapshot``) and log entries (canonical SEF/1 JSON) travel
as bytes; risk weights as :class:`~stockade.engine.risk.RiskSnapshot`.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from stockade.engine.risk import RiskSnapshot


class SiteSpec(msgspec.Struct, frozen=True):
    """One site the worker runs, as its validated configuration (JSON of the site model)."""

    site: str
    config: str


class StoreTarget(msgspec.Struct, frozen=True):
    """Where the worker opens the store to keep its entity index (a projection of the log)."""

    data_dir: str
    postgres_dsn: str | None = None
    sqlite_synchronous: str = "FULL"


class LogEntry(msgspec.Struct, frozen=True, array_like=True):
    seq: int
    entry: bytes  # the event's canonical encoding, as in the log


# --- node → worker -----------------------------------------------------------------------------


class Start(msgspec.Struct, frozen=True, tag="start"):
    sites: list[SiteSpec]
    snapshot_every: int
    store: StoreTarget


class Resume(msgspec.Struct, frozen=True, tag="resume"):
    """Build the site's engine and take this snapshot into it (if it is usable)."""

    site: str
    snapshot: bytes | None = None
    seq: int = 0  # the log position the snapshot covers


class Batch(msgspec.Struct, frozen=True, tag="batch"):
    """Committed events, in site order."""

    site: str
    entries: list[LogEntry]


class Stop(msgspec.Struct, frozen=True, tag="stop"):
    """Snapshot every site, close the index and exit."""


ToWorker = Start | Resume | Batch | Stop


# --- worker → node -----------------------------------------------------------------------------


class Resumed(msgspec.Struct, frozen=True, tag="resumed"):
    site: str
    seq: int  # the log position the engine's state covers (0 when it starts afresh)
    risk: RiskSnapshot | None = None
    refused: str | None = None  # why the snapshot was refused: the state is rebuilt from the log
    now: datetime | None = None  # the restored event-time clock: risk is read at it before any new event


class Applied(msgspec.Struct, frozen=True, tag="applied"):
    site: str
    seq: int
    outputs: list[bytes]  # alerts and incidents, as log entries for the node to append
    risk: RiskSnapshot | None = None  # the risk weights, when they changed


class SnapshotTaken(msgspec.Struct, frozen=True, tag="snapshot"):
    site: str
    seq: int
    data: bytes


class BatchFailed(msgspec.Struct, frozen=True, tag="failed"):
    site: str
    first: int
    last: int
    traceback: str


class Stopped(msgspec.Struct, frozen=True, tag="stopped"):
    pass


ToNode = Resumed | Applied | SnapshotTaken | BatchFailed | Stopped

_encoder = msgspec.msgpack.Encoder()
_to_worker = msgspec.msgpack.Decoder(ToWorker)
_to_node = msgspec.msgpack.Decoder(ToNode)


def encode(message: ToWorker | ToNode) -> bytes:
    return _encoder.encode(message)


def decode_to_worker(data: bytes) -> ToWorker:
    return _to_worker.decode(data)


def decode_to_node(data: bytes) -> ToNode:
    return _to_node.decode(data)
