"""Whole-log verification, and the tamper cases it must detect and name."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ledger.errors import VerificationError
from stockade.ledger.keys import LogKeys, load_or_create_log_keys
from stockade.ledger.log import SiteLog
from stockade.ledger.note import parse_note
from stockade.ledger.source import DirSource
from stockade.ledger.verify import verify_log

from .conftest import ORIGIN


def _log(log_dir: Path, keys: LogKeys, n: int = 70_000) -> SiteLog:
    log = SiteLog.open(log_dir, ORIGIN, keys.signer(ORIGIN))
    log.append([b'{"id":"e%d"}' % i for i in range(n // 2)])
    log.checkpoint(keep=True)
    log.append([b'{"id":"e%d"}' % i for i in range(n // 2, n)])
    log.checkpoint()
    return log


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_intact_log_verifies(log_dir: Path, log_keys: LogKeys) -> None:
    log = _log(log_dir, log_keys)
    report = verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN), ORIGIN)
    assert (report.size, report.root, report.entries) == (70_000, log.root(), 70_000)
    assert report.checkpoints == 2
    assert report.tiles == 273 + 1 + 1 + 1 + 1


def test_flipped_tile_byte_is_named(log_dir: Path, log_keys: LogKeys) -> None:
    _log(log_dir, log_keys)
    _flip(log_dir / "tile/0/007", 32 * 9 + 3)
    with pytest.raises(VerificationError, match=r"tile tile/0/007 differs at hash 9 \(entry 1801\)"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN))


def test_flipped_upper_tile_is_named(log_dir: Path, log_keys: LogKeys) -> None:
    _log(log_dir, log_keys)
    _flip(log_dir / "tile/1/000", 100)
    with pytest.raises(VerificationError, match="tile tile/1/000 is corrupt"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN))


def test_altered_entry_is_named(log_dir: Path, log_keys: LogKeys) -> None:
    _log(log_dir, log_keys)
    p = log_dir / "tile/entries/003"
    _flip(p, 2 + 5)  # inside the first entry of bundle 3: entry 768
    with pytest.raises(VerificationError, match="entry 768 does not hash.*altered after it was logged"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN))


def test_dropped_entry_bundle_is_named(log_dir: Path, log_keys: LogKeys) -> None:
    _log(log_dir, log_keys)
    (log_dir / "tile/entries/042").unlink()
    with pytest.raises(VerificationError, match=r"entry bundle tile/entries/042 is missing \(entries 10752"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN))


def test_swapped_checkpoint_signature_is_named(log_dir: Path, log_keys: LogKeys) -> None:
    _log(log_dir, log_keys)
    older = parse_note((log_dir / "checkpoints/35000").read_bytes())
    latest = parse_note((log_dir / "checkpoint").read_bytes())
    swapped = type(latest)(latest.text, older.signatures).encode()
    (log_dir / "checkpoint").write_bytes(swapped)
    with pytest.raises(VerificationError, match="latest checkpoint.*does not verify"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN))


def test_wrong_key_is_refused(log_dir: Path, log_keys: LogKeys, tmp_path: Path) -> None:
    _log(log_dir, log_keys, 10)
    other = load_or_create_log_keys(tmp_path / "other-keys")
    with pytest.raises(VerificationError, match="no signature from a trusted key"):
        verify_log(DirSource(log_dir), other.verifiers(ORIGIN))


def test_forking_checkpoint_is_named(log_dir: Path, log_keys: LogKeys, tmp_path: Path) -> None:
    _log(log_dir, log_keys, 1000)
    # the same key signs a different history of the first 500 entries: a split view
    fork = SiteLog.open(tmp_path / "fork", ORIGIN, log_keys.signer(ORIGIN))
    fork.append([b'{"id":"e%d"}' % i for i in range(499)] + [b'{"id":"forged"}'])
    note = fork.checkpoint()
    with pytest.raises(VerificationError, match="checkpoint witness-copy \\(size 500\\) forks the log"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN), other_checkpoints=[("witness-copy", note)])
    (log_dir / "checkpoints/500").write_bytes(note)
    with pytest.raises(VerificationError, match="forks the log"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN))


def test_checkpoint_ahead_of_served_log(log_dir: Path, log_keys: LogKeys, tmp_path: Path) -> None:
    log = _log(log_dir, log_keys, 100)
    log.append([b"more"])
    ahead = log.checkpoint()
    (log_dir / "checkpoint").write_bytes((log_dir / "checkpoints/50").read_bytes())
    with pytest.raises(VerificationError, match="larger than the latest"):
        verify_log(DirSource(log_dir), log_keys.verifiers(ORIGIN), other_checkpoints=[("newer", ahead)])
