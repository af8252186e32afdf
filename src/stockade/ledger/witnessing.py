"""Getting Stockade's own checkpoints cosigned by its configured witnesses (tlog-witness client side).

For each witness in ``<data>/witnesses.json`` (its add-checkpoint URL prefix and
its ``cosignature/v1`` vkey), send the latest checkpoint with a consistency
proof from the size that witness last cosigned; on 409 the witness says which
size it has, and the request is made again once from there. Returned lines are
verified with the witness's key before they are attached to the checkpoint file.

    >>> peers = load_peers(data_dir / "witnesses.json")                  # doctest: +SKIP
    >>> note, results = cosign_checkpoint(log, peers, httpx.Client())  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from stockade.ledger.checkpoint import parse_checkpoint
from stockade.ledger.errors import KeyFileError, NoteError
from stockade.ledger.log import SiteLog
from stockade.ledger.note import Note, Signature, Verifier, open_note, parse_note, parse_signature_line
from stockade.ledger.vkey import format_vkey, parse_vkey
from stockade.ledger.witness import SIZE_TYPE


@dataclass(frozen=True, slots=True)
class WitnessPeer:
    url: str
    verifier: Verifier


@dataclass(frozen=True, slots=True)
class CosignResult:
    url: str
    ok: bool
    detail: str


def load_peers(path: Path) -> list[WitnessPeer]:
    if not path.exists():
        return []
    try:
        return [WitnessPeer(str(x["url"]), parse_vkey(str(x["vkey"])))
                for x in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, KeyError, TypeError, NoteError) as e:
        raise KeyFileError(f"{path} is not a witness list: {e}") from e


def save_peers(path: Path, peers: Sequence[WitnessPeer]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = [{"url": p.url, "vkey": format_vkey(p.verifier)} for p in peers]
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _body(log: SiteLog, old: int, size: int, note: bytes) -> bytes:
    proof = log.consistency_proof(old, size) if 0 < old < size else []
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n").encode() + note


def _state(log: SiteLog) -> dict[str, int]:
    path = log.directory / "witness-sizes.json"
    return {str(k): int(v) for k, v in json.loads(path.read_text()).items()} if path.exists() else {}


def cosign_checkpoint(log: SiteLog, peers: Sequence[WitnessPeer], client: httpx.Client
                      ) -> tuple[bytes, list[CosignResult]]:
    """Ask every peer to cosign the latest checkpoint; returns the note with the cosignatures added."""
    note = log.checkpoint()
    parsed = parse_note(note)
    size = parse_checkpoint(parsed.text).size
    sizes = _state(log)
    results: list[CosignResult] = []
    sigs: list[Signature] = []
    for peer in peers:
        old = min(sizes.get(peer.url, 0), size)
        url = peer.url.rstrip("/") + "/add-checkpoint"
        try:
            r = client.post(url, content=_body(log, old, size, note))
            if r.status_code == 409 and r.headers.get("content-type", "").startswith(SIZE_TYPE):
                old = int(r.text.strip())
                r = client.post(url, content=_body(log, old, size, note)) if old <= size else r
        except (httpx.HTTPError, ValueError) as e:
            results.append(CosignResult(peer.url, False, f"request failed: {e}"))
            continue
        if r.status_code != 200:
            results.append(CosignResult(peer.url, False, f"{r.status_code}: {r.text.strip()[:200]}"))
            continue
        try:
            lines = [parse_signature_line(x) for x in r.text.split("\n") if x]
            opened = open_note(Note(parsed.text, tuple(lines)), [peer.verifier])
        except NoteError as e:
            results.append(CosignResult(peer.url, False, f"bad cosignature: {e}"))
            continue
        sigs.extend(opened.signatures)
        sizes[peer.url] = size
        results.append(CosignResult(peer.url, True, f"cosigned size {size}"))
    (log.directory / "witness-sizes.json").write_text(json.dumps(sizes) + "\n")
    return (log.add_cosignatures(note, sigs) if sigs else note), results
