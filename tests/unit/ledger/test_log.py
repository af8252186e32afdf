"""SiteLog: appends, roots, proofs and entries agree with the in-memory reference tree; reopen works."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stockade.ledger import log as log_module
from stockade.ledger.checkpoint import open_checkpoint
from stockade.ledger.errors import LedgerError, LogStateError
from stockade.ledger.keys import LogKeys
from stockade.ledger.log import SiteLog
from stockade.ledger.merkle import (
    MemoryNodes,
    inclusion_path,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from stockade.ledger.tiles import tiles_for_size

from .conftest import ORIGIN


def _entries(start: int, n: int) -> list[bytes]:
    return [b'{"id":"e%d"}' % i for i in range(start, start + n)]


def _open(log_dir: Path, keys: LogKeys) -> SiteLog:
    return SiteLog.open(log_dir, ORIGIN, keys.signer(ORIGIN))


@pytest.mark.parametrize("sizes", [[1], [255, 1], [256], [300, 70_000 - 300], [5, 0, 600]])
def test_roots_and_proofs_match_reference(log_dir: Path, log_keys: LogKeys, sizes: list[int]) -> None:
    log = _open(log_dir, log_keys)
    total = 0
    for n in sizes:
        assert log.append(_entries(total, n)) == total + n
        total += n
    leaves = [leaf_hash(e) for e in _entries(0, total)]
    ref = MemoryNodes(leaves)
    assert log.root() == ref.root()
    for index in {0, total // 2, total - 1, max(total - 257, 0)}:
        assert log.inclusion_proof(index) == inclusion_path(index, total, ref.node)
        verify_inclusion(leaves[index], index, total, log.inclusion_proof(index), ref.root())
        assert log.entry(index) == b'{"id":"e%d"}' % index
    for old in {1, total // 3 or 1, total}:
        verify_consistency(old, total, log.consistency_proof(old), ref.root(old), ref.root())
        assert log.root(old) == ref.root(old)


@pytest.mark.parametrize(("size", "indices"), [
    (70_000, range(60_000, 61_000)),  # a window of a full tile's stretch (more than one lock hold)
    (70_000, range(69_500, 70_000)),  # the right edge: partial tiles and the ranges that end there
    (600, [599, 0, 300, 300, 5]),     # any order, repeats, across tiles
])
def test_proofs_of_many_entries_are_each_entrys_proof(log_dir: Path, log_keys: LogKeys, size: int,
                                                      indices: range | list[int]) -> None:
    log = _open(log_dir, log_keys)
    log.append(_entries(0, size))
    ref = MemoryNodes([leaf_hash(e) for e in _entries(0, size)])
    log.append(_entries(size, 10))  # proofs at a size the log has since grown past
    proofs = log.inclusion_proofs(list(indices), size)
    assert proofs == [inclusion_path(i, size, ref.node) for i in indices]
    assert proofs == [log.inclusion_proof(i, size) for i in indices]
    with pytest.raises(LedgerError):
        log.inclusion_proofs([0], size + 11)


def test_proofs_of_many_entries_are_right_when_the_memo_is_emptied(log_dir: Path, log_keys: LogKeys,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_module, "PROOF_MEMO_NODES", 10)  # emptied before every hold but the first
    log = _open(log_dir, log_keys)
    log.append(_entries(0, 3_000))
    ref = MemoryNodes([leaf_hash(e) for e in _entries(0, 3_000)])
    assert log.inclusion_proofs(list(range(3_000)), 3_000) == [inclusion_path(i, 3_000, ref.node) for i in range(3_000)]


def test_checkpoint_writes_every_tile_and_reopens(log_dir: Path, log_keys: LogKeys) -> None:
    log = _open(log_dir, log_keys)
    log.append(_entries(0, 70_000))
    note = log.checkpoint()
    assert log.checkpoint() is note  # nothing changed: no new signature
    cp = open_checkpoint(note, log_keys.verifiers(ORIGIN), ORIGIN).checkpoint
    assert (cp.size, cp.root) == (70_000, log.root())
    for t in tiles_for_size(70_000):
        assert (log_dir / t.path).exists(), t.path
    again = _open(log_dir, log_keys)
    assert (again.size, again.root()) == (70_000, log.root())
    again.append(_entries(70_000, 700))
    ref = MemoryNodes([leaf_hash(e) for e in _entries(0, 70_700)])
    assert again.root() == ref.root()
    verify_inclusion(leaf_hash(b'{"id":"e12345"}'), 12_345, 70_700, again.inclusion_proof(12_345), ref.root())


def test_full_tiles_written_after_the_checkpoint_survive_a_crash(log_dir: Path, log_keys: LogKeys) -> None:
    log = _open(log_dir, log_keys)
    log.append(_entries(0, 100))
    log.checkpoint()
    log.append(_entries(100, 600))  # tiles 0 and 1 complete on disk; 188 entries only in memory
    log.close()
    reopened = _open(log_dir, log_keys)
    assert reopened.size == 512
    assert reopened.root() == MemoryNodes([leaf_hash(e) for e in _entries(0, 512)]).root()


def test_missing_full_tile_is_rebuilt_from_entries(log_dir: Path, log_keys: LogKeys) -> None:
    log = _open(log_dir, log_keys)
    log.append(_entries(0, 1000))
    log.checkpoint()
    os.remove(log_dir / "tile/0/001")
    again = _open(log_dir, log_keys)
    assert again.root() == log.root()
    assert again.inclusion_proof(300) == log.inclusion_proof(300)  # needs tile 0/001: rebuilt
    assert (log_dir / "tile/0/001").stat().st_size == 8192


def test_reopen_refuses_damaged_tiles(log_dir: Path, log_keys: LogKeys) -> None:
    log = _open(log_dir, log_keys)
    log.append(_entries(0, 300))
    log.checkpoint()
    p = log_dir / "tile/0/001.p/44"
    data = bytearray(p.read_bytes())
    data[5] ^= 1
    p.write_bytes(bytes(data))
    with pytest.raises(LogStateError, match="do not match its checkpoint"):
        _open(log_dir, log_keys)


def test_reopen_refuses_another_origin(log_dir: Path, log_keys: LogKeys) -> None:
    _open(log_dir, log_keys).checkpoint()
    with pytest.raises(LogStateError, match="holds the log of"):
        SiteLog.open(log_dir, "stockade/other", log_keys.signer("stockade/other"))


def test_limits(log_dir: Path, log_keys: LogKeys) -> None:
    log = _open(log_dir, log_keys)
    assert log.append([]) == 0
    with pytest.raises(LedgerError):
        log.append([b"x" * 70_000])
    log.append([b"a"])
    with pytest.raises(LedgerError):
        log.entry(1)
    with pytest.raises(LedgerError):
        log.inclusion_proof(0, 2)


def test_kept_checkpoints_and_cosignatures(log_dir: Path, log_keys: LogKeys) -> None:
    clock = iter(range(0, 1000, 10))
    log = SiteLog.open(log_dir, ORIGIN, log_keys.signer(ORIGIN), keep_every_s=60, clock=lambda: next(clock))
    for i in range(8):
        log.append(_entries(i, 1))
        log.checkpoint()
    kept = sorted(int(p.name) for p in (log_dir / "checkpoints").iterdir())
    assert kept == [1, 7]  # clock 0 → kept, 60 s later → kept
    log.checkpoint(keep=True)
    assert (log_dir / "checkpoints/8").exists()
