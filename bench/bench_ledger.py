"""Ledger: append throughput with the log on disk (and its ratio to bare hashlib SHA-256 of the same
entries, measured in the same run), inclusion and consistency proofs at 10M entries, checkpoint
signing and verification (Ed25519, ML-DSA-44), and whole-log verification of a 1M-entry log.

    python -m bench ledger
    python -m bench.bench_ledger --size 10000000 --append 1000000 --verify 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import print_table
from stockade.ledger.checkpoint import Checkpoint
from stockade.ledger.keys import LogKeys, load_or_create_log_keys
from stockade.ledger.log import SiteLog
from stockade.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from stockade.ledger.note import open_note, sign_note
from stockade.ledger.source import DirSource
from stockade.ledger.verify import verify_log

ORIGIN = "stockade/bench"
BATCH = 1000


def _events(n: int) -> list[bytes]:
    # realistic entries: the RFC 8785 form of an access event is about 190 bytes
    return [b'{"direction":"in","door":"D-HV","factors":["badge"],"id":"evt-%010d","kind":"access",'
            b'"result":"granted","site":"bench","source":"ctl-1","subject":"emp-1042",'
            b'"ts":"2026-11-21T02:00:00+01:00"}' % i for i in range(n)]


def _append(root: Path, keys: LogKeys, entries: list[bytes]) -> tuple[float, SiteLog]:
    shutil.rmtree(root, ignore_errors=True)
    log = SiteLog.open(root, ORIGIN, keys.signer(ORIGIN))
    start = time.perf_counter()
    for i in range(0, len(entries), BATCH):
        log.append(entries[i:i + BATCH])
    log.close()  # timed until every full tile and bundle is on disk
    return time.perf_counter() - start, log


def bench_append(tmp: Path, keys: LogKeys, n: int, repeats: int = 3) -> dict[str, float]:
    entries = _events(n)
    log_s, sha_s = [], []
    for _ in range(repeats):
        elapsed, log = _append(tmp / "append", keys, entries)
        log_s.append(elapsed)
        start = time.perf_counter()
        sha = hashlib.sha256
        _ = [sha(e).digest() for e in entries]
        sha_s.append(time.perf_counter() - start)
    log.checkpoint()
    t_log, t_sha = statistics.median(log_s), statistics.median(sha_s)
    return {"append_entries_per_s": n / t_log, "sha256_entries_per_s": n / t_sha,
            "append_time_over_sha256": t_log / t_sha, "append_n": n}


def bench_proofs(tmp: Path, keys: LogKeys, size: int, samples: int = 2000) -> dict[str, float]:
    root = tmp / "big"
    shutil.rmtree(root, ignore_errors=True)
    log = SiteLog.open(root, ORIGIN, keys.signer(ORIGIN))
    start = time.perf_counter()
    chunk = 100_000
    for base in range(0, size, chunk):
        log.append([b"%d" % i for i in range(base, min(base + chunk, size))])
    build_s = time.perf_counter() - start
    log.checkpoint()
    rng = random.Random(7)
    idx = [rng.randrange(size) for _ in range(samples)]
    olds = [rng.randrange(1, size) for _ in range(samples)]
    out: dict[str, float] = {"proof_log_size": size, "proof_log_build_entries_per_s": size / build_s}

    def per_call(fn: Any, args: list[int]) -> float:
        start = time.perf_counter()
        for a in args:
            fn(a)
        return (time.perf_counter() - start) / len(args) * 1e6

    out["inclusion_us_warm"] = per_call(log.inclusion_proof, idx)
    out["consistency_us_warm"] = per_call(log.consistency_proof, olds)
    cold = SiteLog.open(root, ORIGIN, keys.signer(ORIGIN))  # a fresh process: nothing cached
    out["inclusion_us_cold"] = per_call(cold.inclusion_proof, idx)
    out["consistency_us_cold"] = per_call(SiteLog.open(root, ORIGIN, keys.signer(ORIGIN)).consistency_proof,
                                          olds)
    # the proofs are right, not just fast
    r = log.root()
    for i in idx[:50]:
        verify_inclusion(leaf_hash(b"%d" % i), i, size, cold.inclusion_proof(i), r)
    for o in olds[:50]:
        verify_consistency(o, size, log.consistency_proof(o), log.root(o), r)
    shutil.rmtree(root, ignore_errors=True)
    return out


def bench_signatures(keys: LogKeys, n: int = 200) -> dict[str, float]:
    signer = keys.signer(ORIGIN)
    ed, ml = signer.signers
    ved, vml = signer.verifiers
    body = Checkpoint(ORIGIN, 10_000_000, hashlib.sha256(b"root").digest()).body()
    out: dict[str, float] = {}
    for label, s, v in (("ed25519", ed, ved), ("mldsa44", ml, vml)):
        start = time.perf_counter()
        notes = [sign_note(body, [s]) for _ in range(n)]
        out[f"sign_{label}_us"] = (time.perf_counter() - start) / n * 1e6
        start = time.perf_counter()
        for note in notes:
            open_note(note, [v])
        out[f"verify_{label}_us"] = (time.perf_counter() - start) / n * 1e6
    note = signer.sign(Checkpoint(ORIGIN, 1, bytes(32)))
    out["checkpoint_note_bytes"] = len(note)
    return out


def bench_verify(tmp: Path, keys: LogKeys) -> dict[str, float]:
    root = tmp / "append"
    start = time.perf_counter()
    report = verify_log(DirSource(root), keys.verifiers(ORIGIN), ORIGIN)
    elapsed = time.perf_counter() - start
    return {"verify_entries": report.entries, "verify_entries_per_s": report.entries / elapsed}


def main(size: int = 10_000_000, append: int = 1_000_000) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="stockade-bench-ledger-"))
    try:
        keys = load_or_create_log_keys(tmp / "keys")
        figures: dict[str, Any] = {}
        figures |= bench_append(tmp, keys, append)
        figures |= bench_verify(tmp, keys)  # verifies the log the append benchmark left
        figures |= bench_signatures(keys)
        figures |= bench_proofs(tmp, keys, size)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f = figures
    print_table("ledger", [
        ("append, log on disk", f"{f['append_entries_per_s']:,.0f} entries/s",
         f"{f['append_n']:,} entries of ~190 B, batches of {BATCH}; target ≥ 200,000"),
        ("bare hashlib SHA-256, same entries", f"{f['sha256_entries_per_s']:,.0f} entries/s",
         f"append takes {f['append_time_over_sha256']:.2f}× the time of one SHA-256 per entry"),
        ("inclusion proof, warm", f"{f['inclusion_us_warm']:.0f} µs", f"at {f['proof_log_size']:,} entries; "
         "target ≤ 200"),
        ("inclusion proof, cold (reopened log)", f"{f['inclusion_us_cold']:.0f} µs", "first touch of each tile"),
        ("consistency proof, warm / cold", f"{f['consistency_us_warm']:.0f} / {f['consistency_us_cold']:.0f} µs",
         f"random old size → {f['proof_log_size']:,}"),
        ("checkpoint sign Ed25519 / ML-DSA-44", f"{f['sign_ed25519_us']:.0f} / {f['sign_mldsa44_us']:.0f} µs",
         f"note with both: {f['checkpoint_note_bytes']:,} bytes"),
        ("checkpoint verify Ed25519 / ML-DSA-44", f"{f['verify_ed25519_us']:.0f} / {f['verify_mldsa44_us']:.0f} µs",
         ""),
        ("whole-log verification", f"{f['verify_entries_per_s']:,.0f} entries/s",
         f"{f['verify_entries']:,} entries from tiles on disk"),
    ])
    return figures


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--size", type=int, default=10_000_000, help="log size for the proof benchmarks")
    ap.add_argument("--append", type=int, default=1_000_000, help="entries for append and verification")
    a = ap.parse_args()
    main(a.size, a.append)
