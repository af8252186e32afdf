"""The log's signing keys and the witness key: files under ``<data>/keys/``, mode 0600, and rotation.

Files (PEM, PKCS#8, written with mode 0600 in a 0700 directory; a key file
anyone else can read is refused):

* ``log-ed25519.pem`` and ``log-mldsa44.pem`` — the checkpoint keys. One pair
  signs every site's log; the key *name* is each log's origin, so each site has
  its own vkeys (the key ID hashes the name).
* ``witness-ed25519.pem`` — the key ``stockade witness`` cosigns partner logs with.
* ``history.json`` — public keys only: every log key pair ever used, newest
  last, so old checkpoints stay verifiable after a rotation.
* ``retired/<time>/`` — the private files a rotation replaced (still 0600).

    >>> import tempfile
    >>> keys = load_or_create_log_keys(Path(tempfile.mkdtemp()) / "keys")
    >>> signer = keys.signer("stockade/dc-paris-1")
    >>> keys.vkeys("stockade/dc-paris-1")          # what `stockade keys show --vkey` prints  # doctest: +ELLIPSIS
    ['stockade/dc-paris-1+...+A...', 'stockade/dc-paris-1+...+B...']
"""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.mldsa import MLDSA44PrivateKey

from stockade.ledger.checkpoint import CheckpointSigner
from stockade.ledger.cosignature import MLDSA44CosignatureSigner, MLDSA44CosignatureVerifier
from stockade.ledger.errors import KeyFileError
from stockade.ledger.note import Ed25519Signer, Ed25519Verifier, Signer, Verifier
from stockade.ledger.vkey import format_vkey

ED25519_FILE = "log-ed25519.pem"
MLDSA_FILE = "log-mldsa44.pem"
WITNESS_FILE = "witness-ed25519.pem"
HISTORY_FILE = "history.json"


def _ensure_dir(keys_dir: Path) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)


def write_private(path: Path, pem: bytes) -> None:
    """Write a private key file that only its owner can read, atomically."""
    _ensure_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)  # O_CREAT's mode is filtered by the umask; say it again
    os.replace(tmp, path)


def read_private(path: Path) -> bytes:
    """Read a private key file, refusing one that group or others can access."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as e:
        raise KeyFileError(f"no key file {path}; run `stockade keys rotate` to create keys") from e
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"key file {path} has mode {stat.S_IMODE(mode):o}; run `chmod 600 {path}`")
    return path.read_bytes()


def _pem(key: Ed25519PrivateKey | MLDSA44PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_ed25519(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(read_private(path), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} does not hold an Ed25519 private key")
    return key


def _load_mldsa(path: Path) -> MLDSA44PrivateKey:
    key = serialization.load_pem_private_key(read_private(path), password=None)
    if not isinstance(key, MLDSA44PrivateKey):
        raise KeyFileError(f"{path} does not hold an ML-DSA-44 private key")
    return key


@dataclass(frozen=True, slots=True)
class PublicLogKeys:
    """The public halves of one log key pair: enough to verify its checkpoints under any origin."""

    ed25519: bytes
    mldsa44: bytes

    def verifiers(self, origin: str) -> list[Verifier]:
        return [Ed25519Verifier(origin, self.ed25519), MLDSA44CosignatureVerifier(origin, self.mldsa44)]

    def vkeys(self, origin: str) -> list[str]:
        return [format_vkey(v) for v in self.verifiers(origin)]


class LogKeys:
    """The private checkpoint keys; never printed (``repr`` shows key IDs only)."""

    def __init__(self, ed25519: Ed25519PrivateKey, mldsa44: MLDSA44PrivateKey) -> None:
        self._ed25519 = ed25519
        self._mldsa44 = mldsa44
        self.public = PublicLogKeys(ed25519.public_key().public_bytes_raw(),
                                    mldsa44.public_key().public_bytes_raw())

    def signer(self, origin: str, now: Callable[[], int] | None = None) -> CheckpointSigner:
        """The signer of ``origin``'s checkpoints: Ed25519 (0x01) then ML-DSA-44 (0x06)."""
        signers: list[Signer] = [Ed25519Signer(origin, self._ed25519),
                                 MLDSA44CosignatureSigner(origin, self._mldsa44, now)]
        return CheckpointSigner(origin, signers, self.public.verifiers(origin))

    def verifiers(self, origin: str) -> list[Verifier]:
        return self.public.verifiers(origin)

    def vkeys(self, origin: str) -> list[str]:
        return self.public.vkeys(origin)

    def __repr__(self) -> str:
        return "LogKeys(<private>)"


def load_log_keys(keys_dir: Path) -> LogKeys:
    return LogKeys(_load_ed25519(keys_dir / ED25519_FILE), _load_mldsa(keys_dir / MLDSA_FILE))


def _record(keys_dir: Path, keys: LogKeys) -> None:
    history = key_history(keys_dir)
    history.append(keys.public)
    data = [{"ed25519": base64.b64encode(k.ed25519).decode(), "mldsa44": base64.b64encode(k.mldsa44).decode()}
            for k in history]
    (keys_dir / HISTORY_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def key_history(keys_dir: Path) -> list[PublicLogKeys]:
    """Every log key pair used so far, oldest first (public keys only)."""
    path = keys_dir / HISTORY_FILE
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [PublicLogKeys(base64.b64decode(r["ed25519"]), base64.b64decode(r["mldsa44"])) for r in rows]
    except (ValueError, KeyError, TypeError) as e:
        raise KeyFileError(f"{path} is not a key history file") from e


def _create(keys_dir: Path) -> LogKeys:
    keys = LogKeys(Ed25519PrivateKey.generate(), MLDSA44PrivateKey.generate())
    write_private(keys_dir / ED25519_FILE, _pem(keys._ed25519))
    write_private(keys_dir / MLDSA_FILE, _pem(keys._mldsa44))
    _record(keys_dir, keys)
    return keys


def load_or_create_log_keys(keys_dir: Path) -> LogKeys:
    """The log keys, created on first use."""
    if not (keys_dir / ED25519_FILE).exists() and not (keys_dir / MLDSA_FILE).exists():
        return _create(keys_dir)
    return load_log_keys(keys_dir)


@dataclass(frozen=True, slots=True)
class KeyRotation:
    """What a rotation changed: the public keys before (None on first creation) and after."""

    old: PublicLogKeys | None
    new: PublicLogKeys
    retired_dir: Path | None


def rotate_log_keys(keys_dir: Path, now: Callable[[], float] = time.time) -> KeyRotation:
    """Retire the current log keys (kept, 0600, under ``retired/``) and create new ones."""
    old: LogKeys | None = None
    retired: Path | None = None
    if (keys_dir / ED25519_FILE).exists():
        old = load_log_keys(keys_dir)
        retired = keys_dir / "retired" / time.strftime("%Y%m%dT%H%M%S", time.gmtime(now()))
        n = 1
        while retired.exists():
            retired = retired.with_name(f"{retired.name.split('.')[0]}.{n}")
            n += 1
        for name in (ED25519_FILE, MLDSA_FILE):
            write_private(retired / name, read_private(keys_dir / name))
    new = _create(keys_dir)
    return KeyRotation(old.public if old else None, new.public, retired)


def load_or_create_witness_key(keys_dir: Path) -> Ed25519PrivateKey:
    path = keys_dir / WITNESS_FILE
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        write_private(path, _pem(key))
        return key
    return _load_ed25519(path)
