"""A C2SP tlog-witness: check partner logs' checkpoints for consistency and cosign them.

``Witness.add_checkpoint`` is the ``add-checkpoint`` call of c2sp.org/tlog-witness
without the HTTP: it parses the body (``old N``, consistency proof lines, an
empty line, the checkpoint), and answers with the status the spec requires —
404 unknown origin, 403 no trusted signature, 400 malformed or old > new, 409
old size not the one last cosigned (body: that size, ``text/x.tlog.size``) or
same size with another root, 422 consistency proof that does not verify, 200
with an Ed25519 ``cosignature/v1`` line (c2sp.org/tlog-cosignature). The check
and the update of the stored checkpoint happen under one lock, and the new
state is on disk before the answer, as the spec's race note asks.

    >>> trusted = [TrustedLog("stockade/dc-1", (parse_vkey(VKEY),))]    # doctest: +SKIP
    >>> w = Witness("witness.example/w1", key, trusted, state_dir)  # doctest: +SKIP
    >>> w.add_checkpoint(b"old 0\\n\\n" + note).status  # doctest: +SKIP
    200
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stockade.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from stockade.ledger.cosignature import Ed25519CosignatureSigner
from stockade.ledger.errors import KeyFileError, NoteError, ProofError
from stockade.ledger.merkle import verify_consistency
from stockade.ledger.note import Signature, Verifier, parse_note
from stockade.ledger.vkey import format_vkey, parse_vkey

SIZE_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63


@dataclass(frozen=True, slots=True)
class TrustedLog:
    origin: str
    verifiers: tuple[Verifier, ...]


@dataclass(frozen=True, slots=True)
class WitnessAnswer:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


def _err(status: int, why: str) -> WitnessAnswer:
    return WitnessAnswer(status, (why + "\n").encode())


class Witness:
    def __init__(self, name: str, key: Ed25519PrivateKey, logs: Sequence[TrustedLog], state_dir: Path,
                 now: Callable[[], int] | None = None) -> None:
        self.cosigner = Ed25519CosignatureSigner(name, key, now)
        self.logs = {log.origin: log for log in logs}
        self.state_dir = state_dir
        self._lock = threading.Lock()

    @property
    def vkey(self) -> str:
        return format_vkey(self.cosigner.verifier())

    def _state_path(self, origin: str) -> Path:
        return self.state_dir / hashlib.sha256(origin.encode()).hexdigest()

    def latest(self, origin: str) -> Checkpoint | None:
        """The last checkpoint cosigned for ``origin`` (None if none yet)."""
        path = self._state_path(origin)
        if not path.exists():
            return None
        return parse_checkpoint(parse_note(path.read_bytes()).text)

    def add_checkpoint(self, body: bytes) -> WitnessAnswer:
        head, sep, note = body.partition(b"\n\n")
        if not sep:
            return _err(400, "the body needs 'old N', proof lines, an empty line, then the checkpoint")
        try:
            lines = head.decode("ascii").split("\n")
            old_s = lines[0].removeprefix("old ")
            if not lines[0].startswith("old ") or not old_s.isdigit() or (old_s != "0" and old_s[0] == "0"):
                return _err(400, "first line must be 'old <size>'")
            proof = [base64.b64decode(x, validate=True) for x in lines[1:]]
            parsed = parse_note(note)
            cp = parse_checkpoint(parsed.text)
        except (UnicodeDecodeError, binascii.Error, NoteError) as e:
            return _err(400, f"malformed request: {e}")
        if len(proof) > MAX_PROOF_LINES:
            return _err(400, "more than 63 consistency proof lines")
        old = int(old_s)
        trusted = self.logs.get(cp.origin)
        if trusted is None:
            return _err(404, f"unknown log {cp.origin!r}")
        try:
            open_checkpoint(parsed, trusted.verifiers)
        except NoteError as e:
            return _err(403, str(e))
        if old > cp.size:
            return _err(400, f"old size {old} is larger than the checkpoint's {cp.size}")
        with self._lock:
            latest = self.latest(cp.origin)
            latest_size = latest.size if latest else 0
            if old != latest_size:
                return WitnessAnswer(409, f"{latest_size}\n".encode(), SIZE_TYPE)
            if latest is not None and old == cp.size:
                if latest.root != cp.root:
                    return _err(409, "same size as the last cosigned checkpoint, different root: a fork")
            elif old == 0:
                if proof:
                    return _err(422, "the proof must be empty when the old size is 0")
            else:
                try:
                    verify_consistency(old, cp.size, proof, latest.root if latest else b"", cp.root)
                except ProofError as e:
                    return _err(422, f"consistency proof does not verify: {e}")
            path = self._state_path(cp.origin)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(note)
            tmp.replace(path)
            cosig = self.cosigner.sign(parsed.text.encode())
            sig = Signature(self.cosigner.name, self.cosigner.key_id, cosig)
        return WitnessAnswer(200, sig.line().encode())


@dataclass(frozen=True, slots=True)
class WitnessConfig:
    """``<data>/witness.json``: this witness's name and the partner logs it cosigns."""

    name: str
    logs: tuple[TrustedLog, ...]


def load_witness_config(path: Path, default_name: str = "stockade-witness") -> WitnessConfig:
    if not path.exists():
        return WitnessConfig(default_name, ())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        logs = tuple(TrustedLog(str(x["origin"]), tuple(parse_vkey(v) for v in x["vkeys"]))
                     for x in data.get("logs", []))
        return WitnessConfig(str(data.get("name", default_name)), logs)
    except (ValueError, KeyError, TypeError, NoteError) as e:
        raise KeyFileError(f"{path} is not a witness configuration: {e}") from e


def save_witness_config(path: Path, config: WitnessConfig) -> None:
    data = {"name": config.name,
            "logs": [{"origin": t.origin, "vkeys": [format_vkey(v) for v in t.verifiers]}
                     for t in config.logs]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
