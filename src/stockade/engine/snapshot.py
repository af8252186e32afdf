"""Engine snapshots as versioned, typed data: never code, never Python objects.

A snapshot is two JSON documents on two lines: a :class:`SnapshotHeader`
(format, version, and the fingerprints of what the state was folded *with*),
then the :class:`SnapshotBody` (what each stateful part gives as msgspec
Structs: the site's live state, each detector's working memory, the
correlator's open incidents, the risk weights). Nothing in it names a class to
import or a function to call, so a snapshot from a shared store can be refused
but never executed.

A snapshot restores only into an engine built from the same site file, the
same detector catalogue with the same parameters, and the same state layout;
otherwise :func:`restore` raises :class:`SnapshotRefused` with the reason, and
the caller rebuilds the state from the log. That way a changed
``walk_s_per_hop`` or a detector added by an upgrade is in force on the very
next event, never masked by an old snapshot.

    >>> data = encode(engine)                    # doctest: +SKIP
    >>> fresh = build_engine(site)               # doctest: +SKIP
    >>> restore(fresh, data)                     # raises SnapshotRefused on any mismatch   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from stockade.engine.correlation_state import CorrelatorSnapshot
from stockade.engine.errors import SnapshotRefused
from stockade.engine.risk import RiskSnapshot
from stockade.engine.state import SiteStateSnapshot

if TYPE_CHECKING:
    from stockade.engine.engine import SiteEngine

FORMAT: Literal["stockade/engine-snapshot"] = "stockade/engine-snapshot"
VERSION = 2  # 2: the live site's fold parts (site/live) in the state

__all__ = ["FORMAT", "VERSION", "Fingerprint", "SnapshotBody", "SnapshotHeader", "SnapshotRefused",
           "check", "encode", "fingerprint", "read_header", "restore"]


class SnapshotHeader(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: Literal["stockade/engine-snapshot"]
    version: int
    site: str
    site_hash: str  # the validated site configuration
    catalogue_hash: str  # detector ids, classes, parameters and memory shapes; correlation and risk parameters
    layout_hash: str  # the shape of the body


class SnapshotBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    state: SiteStateSnapshot
    detectors: dict[str, msgspec.Raw]  # detector id -> its memory, decoded with its own ``memory_type``
    correlation: CorrelatorSnapshot | None
    risk: RiskSnapshot | None


class Fingerprint(msgspec.Struct, frozen=True):
    site_hash: str
    catalogue_hash: str
    layout_hash: str


_header = msgspec.json.Decoder(SnapshotHeader)
_body = msgspec.json.Decoder(SnapshotBody)
_encode = msgspec.json.Encoder().encode


def _digest(value: Any) -> str:
    return hashlib.sha256(_encode(value)).hexdigest()


@functools.cache
def _schema(shape: type[msgspec.Struct] | None) -> object:
    return None if shape is None else msgspec.json.schema(shape)


def fingerprint(engine: SiteEngine) -> Fingerprint:
    """What the engine's state depends on, besides the log: its site file and its catalogue."""
    detectors = [
        {"id": d.id, "class": f"{type(d).__module__}.{type(d).__qualname__}",
         "params": msgspec.to_builtins(d.params), "memory": _schema(d.memory_type)}
        for d in engine.detectors
    ]
    correlator = engine.correlator
    risk = engine.risk
    catalogue = {
        "detectors": detectors,
        "correlation": None if correlator is None else [type(correlator).__qualname__, correlator.params],
        "risk": None if risk is None else [type(risk).__qualname__, risk.params],
    }
    return Fingerprint(
        site_hash=hashlib.sha256(engine.state.site.model_dump_json().encode()).hexdigest(),
        catalogue_hash=_digest(msgspec.to_builtins(catalogue)),
        layout_hash=_layout_hash(),
    )


@functools.cache
def _layout_hash() -> str:
    return _digest(msgspec.json.schema(SnapshotBody))


def encode(engine: SiteEngine) -> bytes:
    """The engine's state as a snapshot (taken between steps)."""
    fp = engine.fingerprint()
    header = SnapshotHeader(FORMAT, VERSION, engine.state.site.site, fp.site_hash, fp.catalogue_hash,
                            fp.layout_hash)
    memories = {}
    for d in engine.detectors:
        memory = d.save_memory()
        if memory is not None:
            memories[d.id] = msgspec.Raw(_encode(memory))
    correlator, risk = engine.correlator, engine.risk
    body = SnapshotBody(engine.state.save(), memories,
                        None if correlator is None else correlator.save(),
                        None if risk is None else risk.save())
    return _encode(header) + b"\n" + _encode(body)


def read_header(data: bytes) -> SnapshotHeader:
    """The header of a snapshot; :class:`SnapshotRefused` when it is not one this code can read."""
    first, newline, _ = data.partition(b"\n")
    if not newline:
        raise SnapshotRefused("not a Stockade engine snapshot (no header line)")
    try:
        header = _header.decode(first)
    except msgspec.DecodeError as e:
        raise SnapshotRefused(f"not a Stockade engine snapshot ({e})") from e
    if header.version != VERSION:
        raise SnapshotRefused(f"snapshot format version {header.version}; this release reads version {VERSION}")
    return header


def check(engine: SiteEngine, header: SnapshotHeader) -> None:
    """Refuse a snapshot folded with another site file, catalogue or state layout than ``engine``'s."""
    fp = engine.fingerprint()
    if header.site != engine.state.site.site:
        raise SnapshotRefused(f"the snapshot is of site {header.site!r}, not {engine.state.site.site!r}")
    if header.site_hash != fp.site_hash:
        raise SnapshotRefused("the site file changed since the snapshot was taken")
    if header.catalogue_hash != fp.catalogue_hash:
        raise SnapshotRefused("the detector catalogue or its parameters changed since the snapshot was taken")
    if header.layout_hash != fp.layout_hash:
        raise SnapshotRefused("the engine's state layout changed since the snapshot was taken (an upgrade)")


def restore(engine: SiteEngine, data: bytes) -> None:
    """Load a snapshot into a freshly built ``engine``; :class:`SnapshotRefused` says why it cannot."""
    check(engine, read_header(data))
    body_bytes = data.partition(b"\n")[2]
    try:
        body = _body.decode(body_bytes)
        memories = [
            (d, msgspec.json.decode(body.detectors[d.id], type=d.memory_type))
            for d in engine.detectors if d.memory_type is not None and d.id in body.detectors
        ]
    except msgspec.DecodeError as e:
        raise SnapshotRefused(f"the snapshot is damaged ({e})") from e
    missing = [d.id for d in engine.detectors if d.memory_type is not None and d.id not in body.detectors]
    if missing:
        raise SnapshotRefused(f"the snapshot has no memory for {', '.join(missing)}")
    if (body.correlation is None) != (engine.correlator is None) or (body.risk is None) != (engine.risk is None):
        raise SnapshotRefused("the snapshot's correlation and risk parts do not match this engine's")
    engine.state.load(body.state)
    for d, memory in memories:
        d.load_memory(memory)
    if engine.correlator is not None and body.correlation is not None:
        engine.correlator.load(body.correlation)
    if engine.risk is not None and body.risk is not None:
        engine.risk.load(body.risk)
