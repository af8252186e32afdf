"""A log directory read back and repaired (stockade.ledger.log_disk): short tiles are rebuilt, never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ledger.errors import LogStateError
from stockade.ledger.log_disk import complete_bundle, partial_hashes, read_full_tile
from stockade.ledger.merkle import leaf_hash
from stockade.ledger.source import DirSource
from stockade.ledger.tiles import encode_bundle, entries_path, tile_path

ENTRIES = [b"e%d" % i for i in range(256)]


def test_a_short_full_tile_is_rebuilt_from_its_bundle_and_written_again(tmp_path: Path) -> None:
    files = DirSource(tmp_path)
    files.write(entries_path(0), encode_bundle(ENTRIES))
    files.write(tile_path(0, 0), b"\x00" * 100)  # a crash mid-write
    assert read_full_tile(files, 0, 0) == [leaf_hash(e) for e in ENTRIES]
    assert files.read(tile_path(0, 0)) == b"".join(leaf_hash(e) for e in ENTRIES)


def test_a_missing_tile_without_its_bundle_is_an_error_naming_the_tile(tmp_path: Path) -> None:
    files = DirSource(tmp_path)
    assert complete_bundle(files, 0) is None
    with pytest.raises(LogStateError, match="tile/0/000"):
        read_full_tile(files, 0, 0)


def test_a_partial_tile_comes_from_its_entries_when_not_written(tmp_path: Path) -> None:
    files = DirSource(tmp_path)
    files.write(entries_path(0, 3), encode_bundle(ENTRIES[:3]))
    assert partial_hashes(files, 3, 0, 3) == [leaf_hash(e) for e in ENTRIES[:3]]
    assert partial_hashes(files, 3, 0, 0) == []
