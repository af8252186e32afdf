"""Key files: mode 0600, refusal of open files, no key material in reprs, rotation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stockade.ledger.checkpoint import open_checkpoint
from stockade.ledger.errors import KeyFileError, NoteError
from stockade.ledger.keys import (
    ED25519_FILE,
    MLDSA_FILE,
    key_history,
    load_log_keys,
    load_or_create_log_keys,
    rotate_log_keys,
)
from stockade.ledger.log import SiteLog
from stockade.ledger.vkey import parse_vkey

ORIGIN = "stockade/dc-keys"


def test_files_are_private(tmp_path: Path) -> None:
    keys = load_or_create_log_keys(tmp_path / "keys")
    for name in (ED25519_FILE, MLDSA_FILE):
        assert stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert "PRIVATE" not in repr(keys)
    assert "PRIVATE" not in repr(keys.signer(ORIGIN).signers)
    os.chmod(tmp_path / "keys" / ED25519_FILE, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_log_keys(tmp_path / "keys")


def test_vkeys_parse_and_verify(tmp_path: Path) -> None:
    keys = load_or_create_log_keys(tmp_path / "keys")
    ed, ml = keys.vkeys(ORIGIN)
    assert ed.startswith(ORIGIN + "+")
    assert ml.startswith(ORIGIN + "+")
    log = SiteLog.open(tmp_path / "log", ORIGIN, keys.signer(ORIGIN))
    log.append([b"x"])
    note = log.checkpoint()
    for vkey in (ed, ml):  # each signature verifies on its own
        assert open_checkpoint(note, [parse_vkey(vkey)], ORIGIN).checkpoint.size == 1


def test_rotation(tmp_path: Path) -> None:
    kd = tmp_path / "keys"
    old = load_or_create_log_keys(kd)
    log = SiteLog.open(tmp_path / "log", ORIGIN, old.signer(ORIGIN))
    log.append([b"a"])
    old_note = log.checkpoint()
    rotation = rotate_log_keys(kd)
    assert rotation.old == old.public
    assert rotation.retired_dir is not None
    assert stat.S_IMODE((rotation.retired_dir / ED25519_FILE).stat().st_mode) == 0o600
    new = load_log_keys(kd)
    assert new.public == rotation.new != old.public
    assert key_history(kd) == [old.public, new.public]
    log = SiteLog.open(tmp_path / "log", ORIGIN, new.signer(ORIGIN))  # same log, new key
    log.append([b"b"])
    new_note = log.checkpoint()
    open_checkpoint(new_note, new.verifiers(ORIGIN))
    open_checkpoint(old_note, old.verifiers(ORIGIN))  # old checkpoints keep verifying with old vkeys
    with pytest.raises(NoteError):
        open_checkpoint(new_note, old.verifiers(ORIGIN))
