"""Device signatures on the ingest path (issue 11.4): the signed events of the simulated quiet week,
each checked as ingest checks it (the RFC 8785 payload without ``sig``, Ed25519 by libsodium,
``stockade.ledger.ed25519``), and, in the same run, the Ed25519 step alone by libsodium and by
OpenSSL (``cryptography``, the binding it replaced) over the same keys, signatures and payloads.

    python -m bench signatures

Prints the median µs per signed event of each (median of 5 passes) and how many verified: all of
them must, or the run fails.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bench.bench_pipeline import simulated_week
from bench.harness import WorkloadError, print_table
from stockade.events.canonical import signing_payload
from stockade.ledger.devices import DeviceKeys, check_event_signature, parse_public_key
from stockade.ledger.ed25519 import verify

PASSES = 5


def _openssl(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _median_us(work: Callable[[], int], n: int, what: str) -> float:
    """Median CPU µs per item of ``work`` over :data:`PASSES` passes; each must verify all ``n``."""
    times = []
    for _ in range(PASSES):
        start = time.process_time()
        verified = work()
        times.append((time.process_time() - start) / n * 1e6)
        if verified != n:
            raise WorkloadError(f"{what}: {verified:,} of {n:,} signed events verified")
    return sorted(times)[PASSES // 2]


def main(max_events: int = 100_000) -> dict[str, Any]:
    lines, keys = simulated_week(max_events)
    registry = DeviceKeys(Path("devices.json"), {s: parse_public_key(k) for s, k in keys.items()})  # not saved
    signed: list[dict[str, Any]] = [msgspec.json.decode(line) for line in lines if b'"sig":' in line]
    if not signed:
        raise WorkloadError("the simulated week has no signed events")
    triples = []
    for raw in signed:
        key = registry.get(raw["source"])
        if key is None:
            raise WorkloadError(f"no registered key for {raw['source']!r}")
        triples.append((key.public_bytes_raw(), base64.b64decode(raw["sig"]), signing_payload(raw)))
    n = len(signed)
    check = _median_us(lambda: sum(check_event_signature(r, registry).accepted for r in signed), n, "ingest check")
    ours = _median_us(lambda: sum(verify(*t) for t in triples), n, "libsodium")
    openssl = _median_us(lambda: sum(_openssl(*t) for t in triples), n, "OpenSSL")
    print_table(f"Device signatures: {n:,} signed events of {len(lines):,} (the quiet week), median of {PASSES}", [
        ("ingest's check per signed event", f"{check:.1f} µs",
         f"RFC 8785 payload without sig, libsodium; {n:,} verified"),
        ("Ed25519 alone, libsodium (PyNaCl)", f"{ours:.1f} µs", f"{n:,} verified"),
        ("Ed25519 alone, OpenSSL (cryptography), same run", f"{openssl:.1f} µs",
         f"{n:,} verified; libsodium / OpenSSL {ours / openssl:.2f}"),
    ])
    return {"signed": n, "events": len(lines), "verified": n, "check_us": check, "libsodium_us": ours,
            "openssl_us": openssl, "libsodium_vs_openssl": ours / openssl}
