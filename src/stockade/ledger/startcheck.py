"""What a node checks about one site's log before it serves or signs anything.

Opening a :class:`~stockade.ledger.log.SiteLog` already recomputes the root
from the tiles and holds it against the checkpoint. On top of that, at start:

* the checkpoint's signature, under the log's own keys (current and retired);
* the right edge of the tree: the partial entry bundle and the last full one
  hash to their level-0 tiles, and at every level above, the newest hash of
  the partial tile is the root of the full tile below it — the tiles every
  new entry and every new checkpoint build on (with the root check, the
  partial tiles of every level are bound to the signed checkpoint);
* the latest checkpoint this node ever signed, kept outside the data
  directory (:class:`RememberedCheckpoint`): the log must be at least that
  large, with that root at that size. A rollback of the data directory to an
  older copy fails here.

Each check returns ``None`` or one line naming what is wrong. Older leaves are
not read at start (that is ``stockade ledger verify`` / ``audit``, and the
node's periodic audit), so the check stays fast at any size.

    >>> problem = check_log(log, verifiers, RememberedCheckpoint(path))   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from stockade.ledger.checkpoint import Checkpoint, open_checkpoint
from stockade.ledger.errors import LedgerError, NoteError, TileError
from stockade.ledger.log import SiteLog
from stockade.ledger.merkle import leaf_hash, perfect_root
from stockade.ledger.note import Verifier
from stockade.ledger.tiles import TILE_WIDTH, decode_bundle, entries_path, tile_path


def default_state_dir() -> Path:
    """``$XDG_CONFIG_HOME/stockade/ledger-state`` (default ``~/.config/stockade/ledger-state``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "stockade" / "ledger-state"


class RememberedCheckpoint:
    """The latest checkpoint a node signed for one log, in a file outside its data directory.

    The file is named after the data directory, the log's first key (``keys/history.json``; a
    rotation keeps it, a new data directory at the same path has another) and the origin, so
    several nodes on one host keep separate state. It holds the signed note as it was signed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._size = -1
        self._lock = threading.Lock()

    @classmethod
    def for_log(cls, state_dir: Path, data_dir: Path, origin: str, first_key: bytes) -> RememberedCheckpoint:
        tag = hashlib.sha256(str(data_dir.resolve()).encode() + b"\x00" + first_key).hexdigest()[:16]
        name = origin.replace("/", "_").replace(os.sep, "_") + ".checkpoint"
        return cls(state_dir / tag / name)

    def read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def remember(self, note: bytes, size: int) -> None:
        """Keep ``note`` (of tree size ``size``), atomically and on disk, if it is newer."""
        with self._lock:  # the checkpoint thread and a final checkpoint at stop may both call it
            if size <= self._size:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, note)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            self._size = size


def check_signature(log: SiteLog, verifiers: Sequence[Verifier]) -> tuple[Checkpoint | None, str | None]:
    """The log's checkpoint file, verified; (None, None) for a log that never signed one."""
    note = log.latest_checkpoint()
    if note is None:
        return None, None if log.size == 0 else f"{log.directory} holds {log.size} entries but no checkpoint"
    try:
        return open_checkpoint(note, verifiers, log.origin).checkpoint, None
    except NoteError as e:
        return None, f"the checkpoint in {log.directory} is not signed by this log's keys: {e}"


def check_right_edge(log: SiteLog) -> str | None:
    """The tiles new entries and checkpoints build on agree with the entries and with each other."""
    full, edge, bundle = log.right_edge()
    if [leaf_hash(e) for e in bundle] != edge[0]:
        return (f"the partial entry bundle {entries_path(full[0], len(bundle))} does not hash to its tile "
                f"{tile_path(0, full[0], len(bundle))}")
    if full[0]:
        n = full[0] - 1
        data = log.files.read(entries_path(n))
        try:
            entries = decode_bundle(data) if data is not None else None
        except TileError:
            entries = None
        if entries is None or len(entries) != TILE_WIDTH:
            return f"entry bundle {entries_path(n)} is missing or damaged"
        if log.full_tile(0, n) != [leaf_hash(e) for e in entries]:  # a missing tile is rebuilt, not damage
            return f"tile {tile_path(0, n)} does not hold the hashes of entry bundle {entries_path(n)}"
    for level in range(1, len(edge)):
        if not edge[level]:
            continue
        i = len(edge[level]) - 1  # the newest full tile below: the right edge, not every tile
        below = full[level] * TILE_WIDTH + i
        if perfect_root(log.full_tile(level - 1, below)) != edge[level][i]:
            return (f"tile {tile_path(level - 1, below)} does not hash to entry {i} of tile "
                    f"{tile_path(level, full[level], i + 1)}")
    return None


def check_rollback(log: SiteLog, remembered: RememberedCheckpoint, verifiers: Sequence[Verifier]) -> str | None:
    """The log is at least as large as the latest checkpoint ever signed, with its root at that size."""
    note = remembered.read()
    if note is None:
        return None
    try:
        cp = open_checkpoint(note, verifiers, log.origin).checkpoint
    except NoteError as e:
        return f"the remembered checkpoint {remembered.path} does not verify: {e}"
    if log.size < cp.size:
        return (f"the log holds {log.size} entries, but this node signed a checkpoint at size {cp.size} "
                f"(kept in {remembered.path}): the data directory was rolled back")
    try:
        root = log.root(cp.size)
    except LedgerError as e:
        return f"cannot compute the root at size {cp.size}: {e}"
    if root != cp.root:
        return (f"the log's root at size {cp.size} is not the root this node signed there "
                f"(kept in {remembered.path}): the log was rewritten")
    return None


def check_log(log: SiteLog, verifiers: Sequence[Verifier], remembered: RememberedCheckpoint) -> str | None:
    """Every start-up check of one log, in order; the first problem, or None."""
    _, problem = check_signature(log, verifiers)
    return problem or check_right_edge(log) or check_rollback(log, remembered, verifiers)
