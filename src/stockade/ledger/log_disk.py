"""What a site log's directory holds, read back tile by tile and repaired where a crash left it short.

:class:`~stockade.ledger.log.SiteLog` writes full tiles in place, without a
rename; on reopen (and whenever a proof needs one) a short or missing full tile
is recomputed from the level below, or from its entry bundle at level 0, and
written again, so a crash cannot leave a wrong tile behind. These are the
functions that do it, over the log's files (a :class:`~stockade.ledger.source.TileStore`:
a directory, or the cluster's table).

    >>> import tempfile
    >>> from pathlib import Path
    >>> from stockade.ledger.source import DirSource
    >>> from stockade.ledger.tiles import encode_bundle, entries_path
    >>> files = DirSource(Path(tempfile.mkdtemp()))
    >>> files.write(entries_path(0), encode_bundle([b"%d" % i for i in range(256)]))
    >>> len(complete_bundle(files, 0)), complete_bundle(files, 1)
    (256, None)
    >>> len(read_full_tile(files, 0, 0))     # no tile 0 on disk: rebuilt from its bundle, and written
    256
    >>> files.exists(tile_path(0, 0))
    True
"""

from __future__ import annotations

import hashlib

from stockade.ledger.errors import LogStateError, TileError
from stockade.ledger.merkle import perfect_root
from stockade.ledger.source import TileStore
from stockade.ledger.tiles import (
    FULL_TILE_BYTES,
    TILE_WIDTH,
    decode_bundle,
    entries_path,
    full_count,
    split_hashes,
    tile_path,
)

_sha256 = hashlib.sha256


def complete_bundle(files: TileStore, n: int) -> list[bytes] | None:
    """The 256 entries of full bundle ``n``, or None when it is missing, short or unreadable."""
    data = files.read(entries_path(n))
    if data is None:
        return None
    try:
        entries = decode_bundle(data)
    except TileError:
        return None
    return entries if len(entries) == TILE_WIDTH else None


def read_full_tile(files: TileStore, level: int, n: int) -> list[bytes]:
    """Hashes of a full tile; a missing or short one (crash mid-write) is rebuilt from below and written."""
    data = files.read(tile_path(level, n))
    if data is not None and len(data) == FULL_TILE_BYTES:
        return split_hashes(data)
    if level == 0:
        entries = complete_bundle(files, n)
        if entries is None:
            raise LogStateError(f"full tile {tile_path(0, n)} and its entry bundle are missing")
        hashes = [_sha256(b"\x00" + e).digest() for e in entries]
    else:
        hashes = [perfect_root(read_full_tile(files, level - 1, n * TILE_WIDTH + i)) for i in range(TILE_WIDTH)]
    files.write(tile_path(level, n), b"".join(hashes))
    return hashes


def partial_hashes(files: TileStore, size: int, level: int, width: int) -> list[bytes]:
    """Hashes of the partial tile of width ``width`` at ``level`` in a log of ``size`` entries."""
    if not width:
        return []
    n = full_count(size, level)
    data = files.read(tile_path(level, n, width))
    if data is not None and len(data) == width * 32:
        return split_hashes(data)
    if level == 0:
        bundle = files.read(entries_path(n, width))
        if bundle is None:
            raise LogStateError(f"missing partial tile {tile_path(0, n, width)} and its entries")
        return [_sha256(b"\x00" + e).digest() for e in decode_bundle(bundle)]
    return [perfect_root(read_full_tile(files, level - 1, n * TILE_WIDTH + i)) for i in range(width)]
