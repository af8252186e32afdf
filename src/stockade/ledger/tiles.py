"""C2SP tlog-tiles: tile paths, tile arithmetic and entry bundles, as pure functions.

A tiled log publishes its Merkle tree as static files: level-0 tiles of 256
leaf hashes, level-1 tiles of 256 hashes of full level-0 tiles, and so on, plus
entry bundles holding the entries themselves (c2sp.org/tlog-tiles, "Merkle
Tree" and "Log entries"). Stockade writes its ledger directory at exactly these
paths so it can be served or mirrored as-is.

    >>> tile_path(0, 1234067)
    'tile/0/x001/x234/067'
    >>> tile_path(1, 3, width=17)
    'tile/1/003.p/17'
    >>> entries_path(0, width=5)
    'tile/entries/000.p/5'
    >>> [(t.level, t.index, t.width) for t in tiles_for_size(70_000)][-3:]
    [(1, 0, 256), (1, 1, 17), (2, 0, 1)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stockade.ledger.errors import TileError

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
HASH_SIZE = 32
FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE
MAX_ENTRY = 0xFFFF
"""Entry bundles prefix each entry with a big-endian uint16 length (tlog-tiles, "Log entries")."""

ENTRIES = -1
"""The ``level`` of an entry bundle in a :class:`TileRef`."""


@dataclass(frozen=True, slots=True)
class TileRef:
    """One resource of a tiled log: a hash tile (``level`` ≥ 0) or an entry bundle (``level == ENTRIES``)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def path(self) -> str:
        if self.level == ENTRIES:
            return entries_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)

    @property
    def start(self) -> int:
        """First entry index covered — tlog-tiles "start index" (levels ≥ 0; bundles as level 0)."""
        return self.index << (8 * (max(self.level, 0) + 1))


def encode_index(n: int) -> str:
    """Tile index as 3-digit path elements, all but the last prefixed by ``x`` (tlog-tiles)."""
    if n < 0:
        raise TileError(f"negative tile index {n}")
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n > 0:
        parts.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(parts))


def _suffix(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"tile width {width} is outside 1..256")
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` — tlog-tiles "Merkle Tree"."""
    if not 0 <= level <= 63:
        raise TileError(f"tile level {level} is outside 0..63")
    return f"tile/{level}/{encode_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]`` — tlog-tiles "Log entries"."""
    return f"tile/entries/{encode_index(index)}{_suffix(width)}"


_PATH = re.compile(r"tile/(entries|0|[1-9][0-9]?)/((?:x\d{3}/)*\d{3})(?:\.p/([1-9][0-9]{0,2}))?")


def parse_path(path: str) -> TileRef:
    """The inverse of :func:`tile_path` / :func:`entries_path`; refuses anything else."""
    m = _PATH.fullmatch(path)
    if m is None:
        raise TileError(f"not a tlog-tiles path: {path!r}")
    level = ENTRIES if m[1] == "entries" else int(m[1])
    if level > 63:
        raise TileError(f"tile level {level} is outside 0..63")
    index = int(m[2].replace("x", "").replace("/", ""))
    width = int(m[3]) if m[3] else TILE_WIDTH
    if m[3] and width >= TILE_WIDTH:
        raise TileError(f"partial tile width {width} must be below 256")
    if encode_index(index) != m[2]:
        raise TileError(f"non-canonical tile index in {path!r}")
    return TileRef(level, index, width)


def partial_width(size: int, level: int) -> int:
    """Width of the partial tile at ``level`` for a tree of ``size``: floor(s / 256**l) mod 256."""
    return (size >> (TILE_HEIGHT * level)) & (TILE_WIDTH - 1)


def full_count(size: int, level: int) -> int:
    """How many full tiles ``level`` has in a tree of ``size``."""
    return size >> (TILE_HEIGHT * (level + 1))


def levels(size: int) -> int:
    """How many tile levels a tree of ``size`` has (0 for the empty tree)."""
    n = 0
    while size >> (TILE_HEIGHT * n):
        n += 1
    return n


def tiles_for_size(size: int, level: int | None = None) -> list[TileRef]:
    """Every hash tile (full and the partial one) a tree of ``size`` is published as, level by level."""
    out: list[TileRef] = []
    for lv in range(levels(size)) if level is None else [level]:
        out.extend(TileRef(lv, n) for n in range(full_count(size, lv)))
        w = partial_width(size, lv)
        if w:
            out.append(TileRef(lv, full_count(size, lv), w))
    return out


def bundles_for_size(size: int) -> list[TileRef]:
    """The entry bundles of a tree of ``size``."""
    return [TileRef(ENTRIES, t.index, t.width) for t in tiles_for_size(size, 0)]


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    """Concatenate entries, each prefixed by its big-endian uint16 length."""
    out = bytearray()
    for e in entries:
        if len(e) > MAX_ENTRY:
            raise TileError(f"an entry of {len(e)} bytes; tlog-tiles bundles hold at most {MAX_ENTRY}")
        out += len(e).to_bytes(2, "big")
        out += e
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    """Split an entry bundle into its entries; a truncated bundle is a :class:`TileError`."""
    out: list[bytes] = []
    pos, n = 0, len(data)
    while pos < n:
        if pos + 2 > n:
            raise TileError(f"entry bundle truncated in a length prefix at byte {pos}")
        length = int.from_bytes(data[pos:pos + 2], "big")
        end = pos + 2 + length
        if end > n:
            raise TileError(f"entry bundle truncated inside entry {len(out)} (needs {length} bytes)")
        out.append(data[pos + 2:end])
        pos = end
    return out


def split_hashes(data: bytes, width: int | None = None) -> list[bytes]:
    """A tile's hashes; checks the length against ``width`` when given."""
    if len(data) % HASH_SIZE or (width is not None and len(data) != width * HASH_SIZE):
        raise TileError(f"a tile of {len(data)} bytes" + (f" where {width} hashes were expected"
                                                          if width is not None else ""))
    return [data[i:i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def join_hashes(hashes: Sequence[bytes]) -> bytes:
    return b"".join(hashes)
