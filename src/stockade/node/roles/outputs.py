"""What a worker publishes on ``stk.out.<site>`` for each event it committed: ``{"seq": n, "event": {...}}``."""

from __future__ import annotations

import msgspec

from stockade.events import Envelope, Event


class Output(msgspec.Struct, frozen=True):
    seq: int
    event: Event


_decode = msgspec.json.Decoder(Output).decode
_encode = msgspec.json.Encoder().encode


def encode_output(seq: int, event: Envelope) -> bytes:
    return b'{"seq":%d,"event":%s}' % (seq, _encode(event))


def decode_output(data: bytes) -> tuple[int, Envelope]:
    out = _decode(data)
    return out.seq, out.event
