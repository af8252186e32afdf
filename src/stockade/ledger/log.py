"""One site's append-only Merkle log on disk, laid out as a C2SP tlog-tiles log.

``<data>/ledger/<site>/`` holds ``checkpoint`` and ``tile/...`` at exactly the
tlog-tiles paths, so the directory can be served or mirrored as it is, plus
``checkpoints/<size>``: older signed checkpoints kept for auditors (at most one
a minute by default, and every one asked for with ``keep=True``).

    >>> import tempfile
    >>> from stockade.ledger.keys import load_or_create_log_keys
    >>> data = Path(tempfile.mkdtemp())
    >>> signer = load_or_create_log_keys(data / "keys").signer("stockade/dc-1")
    >>> log = SiteLog.open(data / "ledger" / "dc-1", "stockade/dc-1", signer)
    >>> log.append([b'{"id":"e1"}', b'{"id":"e2"}'])
    2
    >>> note = log.checkpoint()              # writes partial tiles, signs, returns the note
    >>> note.splitlines()[:2]
    [b'stockade/dc-1', b'2']
    >>> len(log.inclusion_proof(1))          # RFC 9162 §2.1.3.1, siblings bottom-up
    1

Speed (tiles live in a :class:`~stockade.ledger.source.TileStore`): the right
edge of the tree is in memory; a full tile or entry bundle is written once,
when it completes; partial ones at checkpoint time, in place, without a
rename: on reopen a short or missing full tile is recomputed from the level
below (or the entries). Proofs read a few tiles: heights ≥ 8 from level-1+
tiles (cached), 6–7 from an in-memory index (4 hashes per 256 entries), 0–5
hashed from the level-0 tile.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

from stockade.ledger.checkpoint import Checkpoint, CheckpointSigner, parse_checkpoint
from stockade.ledger.errors import LedgerError, LogStateError, NoteError, SigningHeldError
from stockade.ledger.log_disk import complete_bundle, partial_hashes, read_full_tile
from stockade.ledger.merkle import (
    EMPTY_ROOT,
    RangeCache,
    consistency_path,
    fold_right,
    inclusion_path,
    level_up,
    perfect_root,
    range_hash,
)
from stockade.ledger.note import Signature, add_signatures, parse_note
from stockade.ledger.source import DirSource, TileStore
from stockade.ledger.tiles import (
    FULL_TILE_BYTES,
    MAX_ENTRY,
    TILE_WIDTH,
    decode_bundle,
    encode_bundle,
    entries_path,
    full_count,
    levels,
    partial_width,
    tile_path,
)

_sha256 = hashlib.sha256
PROOFS_PER_HOLD = 256
"""Proofs :meth:`SiteLog.inclusion_proofs` makes per hold of the log's lock (a commit waits for it)."""
PROOF_MEMO_NODES = 100_000
"""Nodes :meth:`SiteLog.inclusion_proofs` keeps between holds (about 15 MiB)."""
_MID = 6  # height of the per-tile index kept in memory: 256 >> 6 = 4 hashes per level-0 tile


def ledger_dir(data_dir: Path, site: str) -> Path:
    """Where a site's log lives: ``<data>/ledger/<site>``."""
    return data_dir / "ledger" / site


def _expand(hashes: Sequence[bytes]) -> list[list[bytes]]:
    out = [list(hashes)]
    while len(out[-1]) > 1:
        out.append(level_up(out[-1]))
    return out


class SiteLog:
    """The append-only log of one site. One writer; every method is thread-safe."""

    def __init__(self, directory: Path, origin: str, signer: CheckpointSigner, *, keep_every_s: float = 60.0,
                 clock: Callable[[], float] = time.time, files: TileStore | None = None) -> None:
        self.directory = directory
        self.origin = origin
        self.signer = signer
        self.files: TileStore = files or DirSource(directory)
        self.keep_every_s = keep_every_s
        self._clock = clock
        self._lock = threading.RLock()
        self.size = 0
        self._edge: list[list[bytes]] = [[]]   # per tile level: hashes of the partial tile
        self._full: list[int] = [0]             # per tile level: number of full tiles written
        self._bundle: list[bytes] = []          # entries of the partial entry bundle
        self._mid: list[bytes] = []             # per full level-0 tile: its 4 height-6 hashes, joined
        self._tiles: OrderedDict[tuple[int, int], list[list[bytes]]] = OrderedDict()
        self._bundles: OrderedDict[int, list[bytes]] = OrderedDict()
        self._leaf_tiles: OrderedDict[int, bytes] = OrderedDict()
        self._ranges: RangeCache = {}
        self._edge_cache: dict[int, tuple[int, int, list[list[bytes]]]] = {}
        self._cp_size = -1
        self._cp_note = b""
        self._kept_at = float("-inf")
        self.frozen: str | None = None
        self.audited = threading.Event()  # cleared by a node until its first audit of the store passes
        self.audited.set()
        self.hold_s = 30.0

    # ---------------------------------------------------------------- open
    @classmethod
    def open(cls, directory: Path, origin: str, signer: CheckpointSigner, *, keep_every_s: float = 60.0,
             clock: Callable[[], float] = time.time, files: TileStore | None = None) -> SiteLog:
        """Create or reopen the log, rebuilding the right edge from its tiles (on disk, or in ``files``)."""
        if signer.origin != origin:
            raise LogStateError(f"signer is for {signer.origin!r}, log is {origin!r}")
        log = cls(directory, origin, signer, keep_every_s=keep_every_s, clock=clock, files=files)
        if files is None:  # else ``directory`` only names the log in messages
            directory.mkdir(parents=True, exist_ok=True)
        log._recover()
        return log

    def _recover(self) -> None:
        raw = self.files.read("checkpoint")
        cp: Checkpoint | None = None
        if raw is not None:
            try:
                cp = parse_checkpoint(parse_note(raw).text)
            except NoteError as e:
                raise LogStateError(f"{self.files.describe('checkpoint')} is not a checkpoint: {e}") from e
            if cp.origin != self.origin:
                raise LogStateError(f"{self.directory} holds the log of {cp.origin!r}, not {self.origin!r}")
        size = cp.size if cp else 0
        n = size // TILE_WIDTH  # full tiles written after the last checkpoint extend the log
        while complete_bundle(self.files, n) is not None:
            n += 1
        self.size = max(size, n * TILE_WIDTH)
        top = max(levels(self.size), 1)
        self._full = [full_count(self.size, lv) for lv in range(top)]
        self._edge = [partial_hashes(self.files, self.size, lv, partial_width(self.size, lv)) for lv in range(top)]
        w0 = partial_width(self.size, 0)
        if w0:
            data = self.files.read(entries_path(self._full[0], w0))
            if data is None:
                raise LogStateError(f"missing partial entry bundle {entries_path(self._full[0], w0)}")
            self._bundle = decode_bundle(data)
        self._mid = [b""] * self._full[0]  # filled lazily, one tile at a time
        if cp is not None:
            got = self.root() if self.size == cp.size else range_hash(0, cp.size, self._node)
            if got != cp.root:
                raise LogStateError(f"the tiles in {self.directory} do not match its checkpoint "
                                    f"(size {cp.size}); run `stockade ledger verify` to find the damage")
            self._cp_size, self._cp_note = (cp.size, raw) if self.size == cp.size and raw else (-1, b"")

    # -------------------------------------------------------------- append
    def append(self, entries: Sequence[bytes]) -> int:
        """Append entries in order; returns the new size. Full tiles and bundles are written as they fill."""
        if not entries or self.frozen is not None:
            return self.size
        if max(map(len, entries)) > MAX_ENTRY:
            raise LedgerError(f"an entry longer than {MAX_ENTRY} bytes cannot go in a tlog-tiles bundle")
        hashes = [_sha256(b"\x00" + e).digest() for e in entries]
        with self._lock:
            edge, bundle = self._edge[0], self._bundle
            i, n = 0, len(hashes)
            while i < n:
                take = min(TILE_WIDTH - len(edge), n - i)
                edge.extend(hashes[i:i + take])
                bundle.extend(entries[i:i + take])
                i += take
                if len(edge) == TILE_WIDTH:
                    self.files.write_behind(entries_path(self._full[0]), encode_bundle(bundle))
                    self._tile_done(0, edge)
                    edge = self._edge[0] = []
                    bundle = self._bundle = []
            self.size += n
            return self.size

    def _tile_done(self, level: int, hashes: list[bytes]) -> None:
        n = self._full[level]
        self.files.write_behind(tile_path(level, n), b"".join(hashes))
        expanded = _expand(hashes)
        if level == 0:
            self._mid.append(b"".join(expanded[_MID]))
        else:
            self._cache_tile((level, n), expanded)
        self._full[level] = n + 1
        if level + 1 == len(self._edge):
            self._edge.append([])
            self._full.append(0)
        up = self._edge[level + 1]
        up.append(expanded[-1][0])
        if len(up) == TILE_WIDTH:
            self._tile_done(level + 1, up)
            self._edge[level + 1] = []

    # ---------------------------------------------------------- read side
    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` entries (default: all)."""
        with self._lock:
            if size is not None and size != self.size:
                self._check_size(size)
                return range_hash(0, size, self._node, self._ranges) if size else EMPTY_ROOT
            parts: list[bytes] = []
            for lv in range(len(self._edge) - 1, -1, -1):
                hashes, start, w = self._edge[lv], 0, len(self._edge[lv])
                for bit in range(7, -1, -1):
                    if w & (1 << bit):
                        parts.append(perfect_root(hashes[start:start + (1 << bit)]))
                        start += 1 << bit
            return fold_right(parts)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise LedgerError(f"size {size} is outside the log (its size is {self.size})")

    def _cache_tile(self, key: tuple[int, int], expanded: list[list[bytes]]) -> None:
        self._tiles[key] = expanded
        if len(self._tiles) > 512:
            self._tiles.popitem(last=False)

    def _expanded(self, level: int, n: int) -> list[list[bytes]]:
        key = (level, n)
        hit = self._tiles.get(key)
        if hit is not None:
            self._tiles.move_to_end(key)
            return hit
        expanded = _expand(read_full_tile(self.files, level, n))
        self._cache_tile(key, expanded)
        return expanded

    def _node(self, height: int, k: int) -> bytes:
        """Hash of the complete subtree of 2**height leaves at position k (a merkle.NodeReader)."""
        level, r = divmod(height, 8)
        first = k << r
        n, j = first >> 8, (first & 0xFF) >> r
        if n == self._full[level]:
            return self._edge_expanded(level)[r][j]
        if level > 0:
            return self._expanded(level, n)[r][j]
        if r >= _MID:
            mid = self._mid[n] or self._fill_mid(n)
            pair = [mid[i:i + 32] for i in range(0, 128, 32)]
            return pair[j] if r == _MID else _sha256(b"\x01" + pair[2 * j] + pair[2 * j + 1]).digest()
        raw = self._leaf_tiles.get(n)
        if raw is None:
            raw = self.files.read(tile_path(0, n))
            if raw is None or len(raw) != FULL_TILE_BYTES:
                raw = b"".join(read_full_tile(self.files, 0, n))
            self._leaf_tiles[n] = raw
            if len(self._leaf_tiles) > 64:
                self._leaf_tiles.popitem(last=False)
        chunk = raw[(j << r) * 32:((j + 1) << r) * 32]  # split only the 2**r hashes needed
        return perfect_root([chunk[i:i + 32] for i in range(0, len(chunk), 32)])

    def _edge_expanded(self, level: int) -> list[list[bytes]]:
        # (full count, width) names the partial tile's content exactly, so the memo cannot go stale
        key = (self._full[level], len(self._edge[level]))
        hit = self._edge_cache.get(level)
        if hit is None or hit[:2] != key:
            hit = (*key, _expand(self._edge[level]))
            self._edge_cache[level] = hit
        return hit[2]

    def _fill_mid(self, n: int) -> bytes:
        expanded = _expand(read_full_tile(self.files, 0, n))
        self._mid[n] = b"".join(expanded[_MID])
        return self._mid[n]

    def full_tile(self, level: int, n: int) -> list[bytes]:
        """Hashes of full tile ``n`` at ``level``, as on disk; a missing or short one (a crash while
        it was written) is rebuilt from the level below or the entries, as at open."""
        with self._lock:
            return read_full_tile(self.files, level, n)

    def freeze(self, reason: str) -> None:
        """Stop taking entries and signing checkpoints: a check found damage (``reason``)."""
        with self._lock:
            self.frozen = reason
        self.audited.set()  # wake anyone waiting to sign: they get the frozen error instead

    def right_edge(self) -> tuple[list[int], list[list[bytes]], list[bytes]]:
        """What the log holds in memory: per tile level the number of full tiles and the hashes of
        the partial tile, and the entries of the partial bundle (copies, for the start-up check)."""
        with self._lock:
            return list(self._full), [list(h) for h in self._edge], list(self._bundle)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        with self._lock:
            size = self.size if size is None else size
            self._check_size(size)
            return inclusion_path(index, size, self._node, self._ranges)

    def inclusion_proofs(self, indices: Sequence[int], size: int) -> list[list[bytes]]:
        """:meth:`inclusion_proof` of each of ``indices`` in the tree of ``size``. Proofs of nearby
        entries share most of their nodes, so each node is read or hashed once for them all (an
        evidence bundle proves every entry of a window: ``bench response`` times 5,000 of them at a
        quarter of the CPU of one proof at a time). The lock is taken per :data:`PROOFS_PER_HOLD`
        proofs, so appends go on meanwhile; the memo holds complete subtrees only, which never
        change, and is emptied past :data:`PROOF_MEMO_NODES` so a long window's memo stays bounded."""
        memo: dict[tuple[int, int], bytes] = {}

        def node(height: int, k: int) -> bytes:
            hit = memo.get((height, k))
            if hit is None:
                hit = memo[(height, k)] = self._node(height, k)
            return hit

        proofs: list[list[bytes]] = []
        for start in range(0, len(indices), PROOFS_PER_HOLD):
            if len(memo) > PROOF_MEMO_NODES:
                memo.clear()
            with self._lock:
                self._check_size(size)
                proofs += [inclusion_path(i, size, node, self._ranges)
                           for i in indices[start:start + PROOFS_PER_HOLD]]
        return proofs

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        with self._lock:
            new = self.size if new is None else new
            self._check_size(new)
            return consistency_path(old, new, self._node, self._ranges)

    def entry(self, index: int) -> bytes:
        with self._lock:
            if not 0 <= index < self.size:
                raise LedgerError(f"no entry {index}: the log has {self.size}")
            n = index >> 8
            if n == self._full[0]:
                return self._bundle[index & 0xFF]
            bundle = self._bundles.get(n)
            if bundle is None:
                bundle = complete_bundle(self.files, n)
                if bundle is None:
                    raise LogStateError(f"entry bundle {entries_path(n)} is missing or damaged")
                self._bundles[n] = bundle
                if len(self._bundles) > 16:
                    self._bundles.popitem(last=False)
            return bundle[index & 0xFF]

    # ---------------------------------------------------------- checkpoint
    def checkpoint(self, keep: bool = False) -> bytes:
        """Write the partial tiles and a signed checkpoint; returns the note. Cheap when nothing changed.

        Waits (up to ``hold_s``) while the node has not finished its first audit since it started."""
        if self.frozen is None and not self.audited.is_set() and not self.audited.wait(self.hold_s):
            raise SigningHeldError(f"the {self.origin} log signs nothing until the node's audit of the store "
                                   "since it started has passed; retry in a few seconds")
        with self._lock:
            if self.frozen is not None:
                raise LogStateError(f"the {self.origin} log is frozen and signs nothing: {self.frozen}")
            if self.size == self._cp_size and not keep:
                return self._cp_note
            self.files.flush()  # every full tile the checkpoint commits to is on disk before it
            for lv, hashes in enumerate(self._edge):
                if hashes:
                    self.files.write(tile_path(lv, self._full[lv], len(hashes)), b"".join(hashes))
            if self._bundle:
                self.files.write(entries_path(self._full[0], len(self._bundle)), encode_bundle(self._bundle))
            note = self.signer.sign(Checkpoint(self.origin, self.size, self.root()))
            self.files.write_atomic("checkpoint", note)
            now = self._clock()
            if keep or (self.size != self._cp_size and now - self._kept_at >= self.keep_every_s):
                self.files.write_atomic(f"checkpoints/{self.size}", note)
                self._kept_at = now
            self._cp_size, self._cp_note = self.size, note
            return note

    def close(self) -> None:
        """Wait until every full tile and bundle is on disk (entries since the checkpoint stay unsigned)."""
        self.files.flush()

    def latest_checkpoint(self) -> bytes | None:
        """The checkpoint file as it is now (with any witness cosignatures)."""
        return self.files.read("checkpoint")

    def add_cosignatures(self, note: bytes, cosignatures: Sequence[Signature]) -> bytes:
        """Attach verified witness cosignatures to ``note`` and, if it is still the latest, to the file."""
        with self._lock:
            signed = add_signatures(note, cosignatures)
            current = self.files.read("checkpoint")
            if current is not None and parse_note(current).text == parse_note(note).text:
                signed = add_signatures(current, cosignatures)
                self.files.write_atomic("checkpoint", signed)
                if self.files.exists(f"checkpoints/{self.size}"):
                    self.files.write_atomic(f"checkpoints/{self.size}", signed)
                self._cp_note = signed
            return signed
