"""Whole-log verification of any C2SP tlog-tiles log, from a directory or an HTTP(S) prefix.

``verify_log`` trusts nothing it reads: it checks the checkpoint's signature,
re-hashes every entry bundle into level-0 tiles, rebuilds every tile level
and the root, compares each tile the log serves with the one it computed, and
checks that every other checkpoint it is given (or finds under
``checkpoints/`` in a Stockade directory) has the root of the verified tree at
its size — a checkpoint that does not is a fork. The first problem found is
raised as :class:`VerificationError` naming the entry, tile or checkpoint.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from stockade.ledger.keys import load_or_create_log_keys
    >>> from stockade.ledger.log import SiteLog
    >>> from stockade.ledger.source import open_source
    >>> from stockade.ledger.vkey import parse_vkey
    >>> data = Path(tempfile.mkdtemp())
    >>> keys = load_or_create_log_keys(data / "keys")
    >>> log = SiteLog.open(data / "dc-1", "stockade/dc-1", keys.signer("stockade/dc-1"))
    >>> log.append([b'{"id":"e1"}', b'{"id":"e2"}', b'{"id":"e3"}']), len(log.checkpoint()) > 0
    (3, True)
    >>> vkeys = [parse_vkey(v) for v in keys.vkeys("stockade/dc-1")]
    >>> report = verify_log(open_source(str(data / "dc-1")), vkeys)
    >>> report.size, report.entries
    (3, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from stockade.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from stockade.ledger.errors import NoteError, TileError, VerificationError
from stockade.ledger.merkle import fold_right, leaf_hash, perfect_root
from stockade.ledger.note import Verifier, parse_note
from stockade.ledger.source import DirSource, Source
from stockade.ledger.tiles import (
    TILE_WIDTH,
    decode_bundle,
    entries_path,
    full_count,
    levels,
    partial_width,
    split_hashes,
    tile_path,
)


@dataclass(slots=True)
class VerifyReport:
    origin: str
    size: int
    root: bytes
    entries: int = 0
    tiles: int = 0
    checkpoints: int = 1
    cosigners: tuple[str, ...] = ()
    tile_problems: list[str] = field(default_factory=list)


def _root_at(size: int, by_level: list[list[bytes]], leaves: list[bytes]) -> bytes:
    """MTH of the first ``size`` entries from computed level hashes (RFC 9162 §2.1.1 via tiles)."""
    parts: list[bytes] = []
    for lv in range(levels(size) - 1, -1, -1):
        w = partial_width(size, lv)
        start = full_count(size, lv) * TILE_WIDTH
        hashes = leaves[:w] if lv == 0 else by_level[lv][start:start + w]
        pos = 0
        for bit in range(7, -1, -1):
            if w & (1 << bit):
                parts.append(perfect_root(hashes[pos:pos + (1 << bit)]))
                pos += 1 << bit
    return fold_right(parts)


def _open(note: bytes, verifiers: Sequence[Verifier], origin: str | None, what: str
          ) -> tuple[Checkpoint, tuple[str, ...]]:
    try:
        signed = open_checkpoint(note, verifiers, origin)
    except NoteError as e:
        raise VerificationError(f"{what}: {e}") from e
    return signed.checkpoint, tuple(s.name for s in signed.note.signatures)


def verify_log(source: Source, verifiers: Sequence[Verifier], origin: str | None = None,
               other_checkpoints: Sequence[tuple[str, bytes]] = (),
               progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Verify a whole log; raises :class:`VerificationError` naming the first bad thing."""
    raw = source.read("checkpoint")
    if raw is None:
        raise VerificationError(f"no checkpoint at {source.describe('checkpoint')}")
    cp, signers = _open(raw, verifiers, origin, "the latest checkpoint")
    report = VerifyReport(cp.origin, cp.size, cp.root, cosigners=signers)
    extra = list(other_checkpoints)
    if isinstance(source, DirSource) and (source.root / "checkpoints").is_dir():
        extra += [(str(p), p.read_bytes()) for p in sorted((source.root / "checkpoints").iterdir())]
    olds: list[tuple[str, Checkpoint]] = []
    for name, note in extra:
        old, _ = _open(note, verifiers, cp.origin, f"checkpoint {name}")
        if old.size > cp.size:
            raise VerificationError(f"checkpoint {name} (size {old.size}) is larger than the latest "
                                    f"({cp.size}): the served checkpoint is stale or the log forked")
        olds.append((name, old))
    partial_leaves: dict[int, list[bytes]] = {old.size: [] for _, old in olds}
    by_level: list[list[bytes]] = [[] for _ in range(max(levels(cp.size), 1) + 1)]
    first_bad_leaf: str | None = None
    last_leaves: list[bytes] = []
    for n in range(full_count(cp.size, 0) + (1 if partial_width(cp.size, 0) else 0)):
        w = min(TILE_WIDTH, cp.size - n * TILE_WIDTH)
        start = n * TILE_WIDTH
        bundle_path = entries_path(n, w)
        data = source.read(bundle_path)
        if data is None:
            raise VerificationError(f"entry bundle {bundle_path} is missing "
                                    f"(entries {start}–{start + w - 1})")
        try:
            entries = decode_bundle(data)
        except TileError as e:
            raise VerificationError(f"entry bundle {bundle_path} is damaged: {e}") from e
        if len(entries) != w:
            raise VerificationError(f"entry bundle {bundle_path} holds {len(entries)} entries, not {w}")
        leaves = [leaf_hash(e) for e in entries]
        served = source.read(tile_path(0, n, w))
        report.tiles += 1
        if served is None:
            report.tile_problems.append(f"tile {tile_path(0, n, w)} is missing")
        elif served != b"".join(leaves):
            try:
                sh = split_hashes(served, w)
                i = next(i for i in range(w) if sh[i] != leaves[i])
                report.tile_problems.append(f"tile {tile_path(0, n, w)} differs at hash {i} "
                                            f"(entry {start + i})")
                if first_bad_leaf is None:
                    first_bad_leaf = f"entry {start + i} does not hash to the value in {tile_path(0, n, w)}"
            except TileError:
                report.tile_problems.append(f"tile {tile_path(0, n, w)} has the wrong length")
        for size in partial_leaves:
            if start < size < start + TILE_WIDTH:
                partial_leaves[size] = leaves[:size - start]
        if w == TILE_WIDTH:
            by_level[1].append(perfect_root(leaves))
        last_leaves = leaves
        report.entries += w
        if progress is not None:
            progress(report.entries)
    for lv in range(1, levels(cp.size)):
        hashes = by_level[lv]
        for n in range(full_count(cp.size, lv) + (1 if partial_width(cp.size, lv) else 0)):
            chunk = hashes[n * TILE_WIDTH:(n + 1) * TILE_WIDTH]
            served = source.read(tile_path(lv, n, len(chunk)))
            report.tiles += 1
            if served != b"".join(chunk):
                report.tile_problems.append(f"tile {tile_path(lv, n, len(chunk))} is "
                                            + ("missing" if served is None else "corrupt"))
            if len(chunk) == TILE_WIDTH:
                by_level[lv + 1].append(perfect_root(chunk))
    leaves0 = last_leaves if partial_width(cp.size, 0) else []
    root = _root_at(cp.size, by_level, leaves0)
    if root != cp.root:
        if first_bad_leaf is not None and _served_root(source, cp.size) == cp.root:
            raise VerificationError(first_bad_leaf + ": the entry was altered after it was logged")
        raise VerificationError(f"the entries do not hash to the checkpoint's root (size {cp.size}): "
                                + (first_bad_leaf or "entries, tiles or the checkpoint were changed"))
    if report.tile_problems:
        raise VerificationError(report.tile_problems[0]
                                + " (the entries and checkpoint agree; the tile is bad)")
    for name, old in olds:
        if _root_at(old.size, by_level, partial_leaves[old.size]) != old.root:
            raise VerificationError(f"checkpoint {name} (size {old.size}) forks the log: its root is not "
                                    "the root of the verified tree at that size")
        report.checkpoints += 1
    return report


def _served_root(source: Source, size: int) -> bytes | None:
    """The root the served tiles (not the entries) imply, to tell a bad entry from a bad tile."""
    by_level: list[list[bytes]] = [[] for _ in range(levels(size) + 1)]
    leaves: list[bytes] = []
    for lv in range(levels(size)):
        w = partial_width(size, lv)
        if not w:
            continue
        data = source.read(tile_path(lv, full_count(size, lv), w))
        if data is None:
            return None
        try:
            hashes = split_hashes(data, w)
        except TileError:
            return None
        if lv == 0:
            leaves = hashes
        else:
            by_level[lv] = [b""] * (full_count(size, lv) * TILE_WIDTH) + hashes
    return _root_at(size, by_level, leaves)


def latest_checkpoint(source: Source) -> Checkpoint:
    """Parse (without verifying) the checkpoint a log serves."""
    raw = source.read("checkpoint")
    if raw is None:
        raise VerificationError(f"no checkpoint at {source.describe('checkpoint')}")
    return parse_checkpoint(parse_note(raw).text)
