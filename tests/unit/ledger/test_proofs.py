"""tlog-proof files: write, parse, verify offline, and refuse tampering."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ledger.errors import ProofError
from stockade.ledger.keys import LogKeys
from stockade.ledger.log import SiteLog
from stockade.ledger.proofs import TlogProof, parse_proof, verify_proof, write_proof

from .conftest import ORIGIN


def _log(log_dir: Path, keys: LogKeys) -> SiteLog:
    log = SiteLog.open(log_dir, ORIGIN, keys.signer(ORIGIN))
    log.append([b'{"id":"e%d"}' % i for i in range(1000)])
    return log


def test_write_and_verify_offline(log_dir: Path, log_keys: LogKeys, tmp_path: Path) -> None:
    log = _log(log_dir, log_keys)
    out = tmp_path / "e41.tlog-proof"
    proof = write_proof(log, 41, out)
    data = out.read_bytes()
    assert data.startswith(b"c2sp.org/tlog-proof@v1\nextra ")
    assert parse_proof(data) == proof
    ok = verify_proof(data, log_keys.verifiers(ORIGIN), origin=ORIGIN)
    assert (ok.index, ok.entry, ok.checkpoint.size) == (41, b'{"id":"e41"}', 1000)
    assert ok.signers == (ORIGIN, ORIGIN)  # Ed25519 and ML-DSA-44 both verified


def test_tampered_proofs_fail(log_dir: Path, log_keys: LogKeys) -> None:
    log = _log(log_dir, log_keys)
    p = write_proof(log, 7, log_dir / "p")
    v = log_keys.verifiers(ORIGIN)
    with pytest.raises(ProofError, match="not in the checkpointed tree"):
        verify_proof(TlogProof(7, p.hashes, p.checkpoint, b'{"id":"e8"}').encode(), v)
    with pytest.raises(ProofError, match="not in the checkpointed tree"):
        verify_proof(TlogProof(8, p.hashes, p.checkpoint, p.extra).encode(), v)
    bad = (bytes([p.hashes[0][0] ^ 1]) + p.hashes[0][1:],) + p.hashes[1:]
    with pytest.raises(ProofError, match="not in the checkpointed tree"):
        verify_proof(TlogProof(7, bad, p.checkpoint, p.extra).encode(), v)
    with pytest.raises(ProofError, match="checkpoint does not verify"):
        verify_proof(TlogProof(7, p.hashes, p.checkpoint.replace(b"1000", b"1001"), p.extra).encode(), v)


@pytest.mark.parametrize("bad", [b"", b"nope\n\nx", b"c2sp.org/tlog-proof@v1\n\nx",
                                 b"c2sp.org/tlog-proof@v1\nindex 01\n\nx",
                                 b"c2sp.org/tlog-proof@v1\nindex 1\n!!\n\nx"])
def test_malformed(bad: bytes) -> None:
    with pytest.raises(ProofError):
        parse_proof(bad)
