"""Merkle tree hashing and proofs, RFC 9162 §2.1 (the RFC 6962 tree), as pure functions.

Every Stockade site log is one of these trees; so is every C2SP tlog-tiles log,
Sigstore's Rekor v2 and Go's checksum database. Nothing here does I/O: proof
*generation* takes a ``NodeReader`` (a function giving the hash of any complete
subtree), so the same code serves an in-memory list, tiles on disk or tiles over
HTTP.

    >>> leaves = [leaf_hash(e) for e in (b"a", b"b", b"c")]
    >>> nodes = MemoryNodes(leaves)
    >>> root = nodes.root()
    >>> proof = inclusion_path(2, 3, nodes.node)
    >>> verify_inclusion(leaves[2], 2, 3, proof, root)       # returns None, or raises ProofError

Subtree addressing: ``node(height, k)`` is the Merkle Tree Hash of the perfect
subtree over leaves ``[k * 2**height, (k + 1) * 2**height)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from stockade.ledger.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256() — RFC 9162 §2.1.1."""

NodeReader = Callable[[int, int], bytes]
"""``node(height, k)``: hash of the complete subtree of ``2**height`` leaves from ``k * 2**height``."""

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """MTH({d(0)}) = SHA-256(0x00 || d(0)) — RFC 9162 §2.1.1."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || MTH(left) || MTH(right)) — RFC 9162 §2.1.1."""
    return _sha256(b"\x01" + left + right).digest()


def level_up(hashes: Sequence[bytes]) -> list[bytes]:
    """Hash adjacent pairs: the next level up of a perfect (sub)tree; an odd last hash is dropped."""
    return [_sha256(b"\x01" + a + b).digest() for a, b in zip(hashes[::2], hashes[1::2], strict=False)]


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1) — the ``k`` of RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """Root of a perfect subtree whose bottom level is ``hashes`` (a power-of-two count)."""
    level = list(hashes)
    while len(level) > 1:
        level = level_up(level)
    return level[0]


def fold_right(subtree_hashes: Sequence[bytes]) -> bytes:
    """Combine the perfect subtrees of a tree, largest (leftmost) first, into its root.

    A tree of size n is the perfect subtrees given by the binary digits of n,
    left to right; RFC 9162 §2.1.1's recursion joins them from the right.
    """
    if not subtree_hashes:
        return EMPTY_ROOT
    h = subtree_hashes[-1]
    for left in reversed(subtree_hashes[:-1]):
        h = _sha256(b"\x01" + left + h).digest()
    return h


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from all leaf hashes — RFC 9162 §2.1.1 (iterative, O(n))."""
    return fold_right(_perfect_subtrees(list(leaf_hashes)))


def _perfect_subtrees(hashes: list[bytes]) -> list[bytes]:
    """The perfect subtree roots of a list of same-height hashes, largest first."""
    out: list[bytes] = []
    start = 0
    n = len(hashes)
    for bit in range(n.bit_length() - 1, -1, -1):
        width = 1 << bit
        if n & width:
            out.append(perfect_root(hashes[start:start + width]))
            start += width
    return out


RangeCache = dict[tuple[int, int], bytes]
"""Optional memo of ``range_hash`` results: a range's hash never changes once the log has it."""


def range_hash(start: int, end: int, node: NodeReader, cache: RangeCache | None = None) -> bytes:
    """MTH(D[start:end]) where ``start`` is aligned to a power of two ≥ ``end - start``.

    Every subtree RFC 9162's PATH and SUBPROOF ask for has that shape, so it is
    a fold of at most 64 complete subtrees read through ``node``. Only ranges
    ending at a tree's right edge are not perfect; they are the same for every
    proof at one size, hence the optional ``cache``.
    """
    n = end - start
    if n <= 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0:
        return node(n.bit_length() - 1, start >> (n.bit_length() - 1))
    if cache is not None:
        hit = cache.get((start, end))
        if hit is None:
            hit = cache[(start, end)] = range_hash(start, end, node)
            if len(cache) > 4096:
                cache.clear()
        return hit
    parts: list[bytes] = []
    pos = start
    for bit in range(n.bit_length() - 1, -1, -1):
        if n & (1 << bit):
            parts.append(node(bit, pos >> bit))
            pos += 1 << bit
    return fold_right(parts)


def inclusion_path(index: int, size: int, node: NodeReader, cache: RangeCache | None = None) -> list[bytes]:
    """PATH(m, D[n]) — RFC 9162 §2.1.3.1; leaf's sibling first, root's child last."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    lo, hi, m = 0, size, index
    # Walk down from the root, then reverse: the proof lists nodes bottom-up.
    while hi - lo > 1:
        k = split_point(hi - lo)
        if m < k:
            path.append(range_hash(lo + k, hi, node, cache))
            hi = lo + k
        else:
            path.append(node((k.bit_length() - 1), lo >> (k.bit_length() - 1)))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def consistency_path(old: int, new: int, node: NodeReader, cache: RangeCache | None = None) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) — RFC 9162 §2.1.4.1."""
    if not 0 < old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    path: list[bytes] = []
    lo, hi, m, complete = 0, new, old, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            path.append(range_hash(lo + k, hi, node, cache))
            hi = lo + k
        else:
            path.append(node(k.bit_length() - 1, lo >> (k.bit_length() - 1)))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        path.append(range_hash(lo, hi, node, cache))
    path.reverse()
    return path


def _check_hashes(proof: Sequence[bytes], *others: bytes) -> None:
    for h in (*proof, *others):
        if len(h) != HASH_SIZE:
            raise ProofError(f"a hash of {len(h)} bytes where SHA-256 has {HASH_SIZE}")


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof implies — RFC 9162 §2.1.3.2 steps 1–5."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of size {size}")
    _check_hashes(proof, leaf)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = _sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` is at ``index`` in the tree of ``size`` with ``root`` — RFC 9162 §2.1.3.2."""
    if root_from_inclusion(leaf, index, size, proof) != root:
        raise ProofError(f"inclusion proof for index {index} does not lead to the root of size {size}")


def verify_consistency(old: int, new: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> None:
    """Check that the tree of size ``old`` is a prefix of the one of size ``new`` — RFC 9162 §2.1.4.2.

    Like transparency-dev/merkle (whose vectors Stockade passes), an old size of 0
    is refused here: it proves nothing. The witness handles ``old 0`` itself, as
    C2SP tlog-witness asks (empty proof, nothing to check).
    """
    if old > new:
        raise ProofError(f"old size {old} is larger than new size {new}")
    if old == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if old == new:
        if proof:
            raise ProofError("sizes are equal but the proof is not empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for size {old}: the log forked")
        return
    if not proof:
        raise ProofError("empty consistency proof between different sizes")
    _check_hashes(proof, old_root, new_root)
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + c + fr).digest()
            sr = _sha256(b"\x01" + c + sr).digest()
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is deep")
    if fr != old_root:
        raise ProofError(f"consistency proof does not lead to the old root (size {old})")
    if sr != new_root:
        raise ProofError(f"consistency proof does not lead to the new root (size {new})")


class MemoryNodes:
    """A whole tree held in memory, level by level: for tests and small logs."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            self.levels.append(level_up(self.levels[-1]))

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def node(self, height: int, k: int) -> bytes:
        return self.levels[height][k]

    def root(self, size: int | None = None) -> bytes:
        n = self.size if size is None else size
        return range_hash(0, n, self.node) if n else EMPTY_ROOT
