"""Row seals (ledger/seal.py): a batch is sealed with the very bytes of one seal per row, so every
seal written before the batch form still checks out, and any column changed fails it."""

from __future__ import annotations

import hmac
import struct

from hypothesis import given
from hypothesis import strategies as st

from stockade.ledger.seal import RowSeal

KEY = bytes(range(32))
SEAL = RowSeal(KEY)
rows = st.lists(st.tuples(st.sampled_from(["dc-1", "dc-2", "étoile"]), st.integers(1, 2**62),
                          st.text(min_size=1, max_size=40), st.sampled_from(["tag", "door", "access"]),
                          st.integers(0, 2**62), st.binary(max_size=300)), max_size=30)


def _reference(site: str, seq: int, event_id: str, kind: str, ts_us: int, entry: bytes) -> bytes:
    """The seal as first written (one ``hmac.digest`` a row): what every stored seal was made with."""
    def field(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    message = b"".join((b"stockade/row-seal/v1\n", field(site.encode()), struct.pack(">qq", seq, ts_us),
                        field(event_id.encode()), field(kind.encode()), entry))
    return hmac.digest(KEY, message, "sha256")


@given(rows)
def test_a_batch_is_sealed_as_each_row_alone(batch: list[tuple[str, int, str, str, int, bytes]]) -> None:
    assert [row[6] for row in SEAL.sealed(batch)] == [_reference(*row) for row in batch]
    assert [SEAL.seal(*row) for row in batch] == [_reference(*row) for row in batch]
    assert [row[:6] for row in SEAL.sealed(batch)] == batch


def test_each_column_is_covered() -> None:
    row = ("dc-1", 7, "e7", "door", 1_700_000_000_000_000, b'{"id":"e7"}')
    mac = SEAL.sealed([row])[0][6]
    assert SEAL.check(*row, mac)
    for i, other in enumerate(["dc-2", 8, "e8", "tag", 1_700_000_000_000_001, b'{"id":"e8"}']):
        changed = list(row)
        changed[i] = other
        assert not SEAL.check(*changed, mac), f"column {i} is not sealed"  # type: ignore[arg-type]
