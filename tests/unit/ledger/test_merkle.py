"""RFC 9162 hashing and proofs against transparency-dev/merkle's vectors, plus properties."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockade.ledger.errors import ProofError
from stockade.ledger.merkle import (
    EMPTY_ROOT,
    MemoryNodes,
    consistency_path,
    inclusion_path,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from tests.shared_vectors import vectors

VECTORS = vectors("merkle")
REFERENCE = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
             "606162636465666768696a6b6c6d6e6f"]


def _b(s: str | None) -> bytes:
    return base64.b64decode(s or "")


def _cases(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


@pytest.mark.parametrize("path", _cases("inclusion"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_inclusion_vectors(path: Path) -> None:
    c = json.loads(path.read_text())
    proof = [_b(p) for p in c["proof"] or []]
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(_b(c["leafHash"]), c["leafIdx"], c["treeSize"], proof, _b(c["root"]))
    else:
        verify_inclusion(_b(c["leafHash"]), c["leafIdx"], c["treeSize"], proof, _b(c["root"]))


@pytest.mark.parametrize("path", _cases("consistency"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_consistency_vectors(path: Path) -> None:
    c = json.loads(path.read_text())
    proof = [_b(p) for p in c["proof"] or []]
    args = (c["size1"], c["size2"], proof, _b(c["root1"]), _b(c["root2"]))
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_vectors_are_present() -> None:
    assert len(_cases("inclusion")) > 50
    assert len(_cases("consistency")) > 50


def test_reference_tree_root() -> None:
    leaves = [leaf_hash(bytes.fromhex(h)) for h in REFERENCE]
    assert root_of(leaves).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert root_of([]) == EMPTY_ROOT


def test_generated_proofs_match_vector_proofs() -> None:
    leaves = [leaf_hash(bytes.fromhex(h)) for h in REFERENCE]
    nodes = MemoryNodes(leaves)
    c = json.loads((VECTORS / "consistency/1/happy-path.json").read_text())
    assert consistency_path(1, 8, nodes.node) == [_b(p) for p in c["proof"]]


def _tree(n: int) -> tuple[list[bytes], MemoryNodes]:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    return leaves, MemoryNodes(leaves)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1),
                                                       st.integers(1, n))))
def test_inclusion_roundtrip_and_mutation(args: tuple[int, int, int]) -> None:
    n, index, size = args
    index = min(index, size - 1)
    leaves, nodes = _tree(n)
    root = nodes.root(size)
    assert root == root_of(leaves[:size])
    proof = inclusion_path(index, size, nodes.node)
    verify_inclusion(leaves[index], index, size, proof, root)
    for i in range(len(proof)):  # any single flipped bit breaks it
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 1]) + bad[i][1:]
        with pytest.raises(ProofError):
            verify_inclusion(leaves[index], index, size, bad, root)
    if proof:
        with pytest.raises(ProofError):
            verify_inclusion(leaves[index], index, size, proof[:-1], root)
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, size, proof, leaf_hash(b"other root"))
    if size > 1:
        other = (index + 1) % size
        with pytest.raises(ProofError):
            verify_inclusion(leaves[other], index, size, proof, root)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_roundtrip_and_mutation(args: tuple[int, int]) -> None:
    old, new = args
    _, nodes = _tree(new)
    proof = consistency_path(old, new, nodes.node)
    verify_consistency(old, new, proof, nodes.root(old), nodes.root(new))
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 0x80]) + bad[i][1:]
        with pytest.raises(ProofError):
            verify_consistency(old, new, bad, nodes.root(old), nodes.root(new))
    if old < new:
        with pytest.raises(ProofError):
            verify_consistency(old, new, proof[:-1], nodes.root(old), nodes.root(new))
        with pytest.raises(ProofError):
            verify_consistency(old, new, proof, nodes.root(new), nodes.root(old))


def test_proof_arguments_out_of_range() -> None:
    _, nodes = _tree(5)
    with pytest.raises(ProofError):
        inclusion_path(5, 5, nodes.node)
    with pytest.raises(ProofError):
        consistency_path(0, 5, nodes.node)
    with pytest.raises(ProofError):
        consistency_path(6, 5, nodes.node)
