"""Signed notes: the C2SP/Go vectors, the opening rules, and malformed notes."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stockade.ledger.errors import NoteError
from stockade.ledger.note import (
    Ed25519Signer,
    Signature,
    add_signatures,
    open_note,
    parse_note,
    sign_note,
)
from stockade.ledger.vkey import format_vkey, parse_skey, parse_vkey
from tests.shared_vectors import vectors

CASES = json.loads(vectors("signed-note", "vectors.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_signed_note_vectors(case: dict[str, object]) -> None:
    vkey = str(case["vkey"])
    if case.get("valid_vkey") is False:
        with pytest.raises(NoteError):
            parse_vkey(vkey)
        return
    verifier = parse_vkey(vkey)
    assert format_vkey(verifier) == vkey
    note = str(case["note"])
    opened = open_note(note.encode(), [verifier])
    assert note.startswith(opened.text)
    if "skey" in case:  # Ed25519 is deterministic: signing reproduces the note byte for byte
        signer = parse_skey(str(case["skey"]))
        assert sign_note(str(case["text"]), [signer]).decode() == note


def _signer(name: str = "example.com/log") -> Ed25519Signer:
    return Ed25519Signer(name, Ed25519PrivateKey.generate())


def test_unknown_keys_are_ignored_and_known_bad_ones_fail() -> None:
    a, b = _signer(), _signer("other.example/w")
    note = sign_note("hi\n", [a, b])
    assert [s.name for s in open_note(note, [a.verifier()]).signatures] == [a.name]
    forged = note.replace(b"hi\n", b"ho\n", 1)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(forged, [a.verifier()])
    with pytest.raises(NoteError, match="no signature from a trusted key"):
        open_note(note, [_signer("third.example").verifier()])
    # same name, another key: a different key ID, so it is simply unknown
    with pytest.raises(NoteError, match="no signature from a trusted key"):
        open_note(note, [_signer().verifier()])


def test_swapped_signature_is_detected() -> None:
    a = _signer()
    n1, n2 = parse_note(sign_note("one\n", [a])), parse_note(sign_note("two\n", [a]))
    swapped = type(n1)(n1.text, n2.signatures).encode()
    with pytest.raises(NoteError, match="does not verify"):
        open_note(swapped, [a.verifier()])


@pytest.mark.parametrize("bad", [
    b"no blank line\n\xe2\x80\x94 a AAAAAAA=\n",
    b"text\n\n",
    b"text\n\n\xe2\x80\x94 a AAAAAAA=",
    b"te\x07xt\n\n\xe2\x80\x94 a AAAAAAA=\n",
    b"text\n\n- a AAAAAAA=\n",
    b"text\n\n\xe2\x80\x94 a+b AAAAAAA=\n",
    b"text\n\n\xe2\x80\x94 a AA\n",
    b"text\n\n\xe2\x80\x94 a !!!!\n",
    b"\xff\n\n\xe2\x80\x94 a AAAAAAA=\n",
])
def test_malformed_notes(bad: bytes) -> None:
    with pytest.raises(NoteError):
        parse_note(bad)


def test_text_may_hold_blank_lines_and_cosignatures_append() -> None:
    a, w = _signer(), _signer("witness.example")
    note = sign_note("a\n\nb\n", [a])
    assert parse_note(note).text == "a\n\nb\n"
    extra = parse_note(sign_note("a\n\nb\n", [w])).signatures
    both = add_signatures(note, [*extra, *extra])
    assert len(parse_note(both).signatures) == 2
    assert len(open_note(both, [a.verifier(), w.verifier()]).signatures) == 2


def test_signature_line_roundtrip() -> None:
    s = Signature("n", 0xDEADBEEF, b"\x01\x02")
    assert parse_note(b"t\n\n" + s.line().encode()).signatures == (s,)


def test_key_material_not_in_repr() -> None:
    a = _signer()
    assert "PRIVATE" not in repr(a)
    assert a.name in repr(a)
