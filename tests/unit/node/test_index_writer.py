"""The engine worker's entity-index writer (node/engine_worker.py): the batches it is given are held
until it is told to file them (the worker does when no batch waits, or a group's worth), then filed
per site in one transaction each; a group that fails is reported as its batches failing."""

from __future__ import annotations

from collections.abc import Sequence

from stockade.events import Envelope, decode_event
from stockade.node.engine_worker import INDEX_GROUP, _IndexWriter
from stockade.node.protocol import BatchFailed, ToNode
from tests.node_fixtures import door_line

EVENT = decode_event(door_line("d1"))


class _Index:
    def __init__(self, fail: bool = False) -> None:
        self.filed: list[tuple[str, list[int]]] = []
        self.fail = fail
        self.closed = False

    def index_entities(self, site: str, events: Sequence[tuple[int, Envelope]]) -> None:
        if self.fail:
            raise OSError("disk full")
        self.filed.append((site, [seq for seq, _ in events]))

    def close(self) -> None:
        self.closed = True


def _events(first: int, n: int) -> list[tuple[int, Envelope]]:
    return [(seq, EVENT) for seq in range(first, first + n)]


def test_batches_are_held_then_filed_per_site_in_one_transaction_each() -> None:
    index = _Index()
    sent: list[ToNode] = []
    writer = _IndexWriter(index, sent.append)
    writer.add("dc-demo", _events(1, 2000))
    writer.add("dc-other", _events(1, 5))
    writer.add("dc-demo", _events(2001, 2000))
    assert writer.pending
    assert not writer.full
    assert index.filed == []
    writer.flush()
    assert index.filed == [("dc-demo", list(range(1, 4001))), ("dc-other", [1, 2, 3, 4, 5])]
    assert not writer.pending
    assert sent == []


def test_a_groups_worth_is_full_and_closing_files_what_is_held() -> None:
    index = _Index()
    writer = _IndexWriter(index, lambda _m: None)
    writer.add("dc-demo", _events(1, INDEX_GROUP - 1))
    assert not writer.full
    writer.add("dc-demo", _events(INDEX_GROUP, 1))
    assert writer.full
    writer.close()
    assert [(site, len(seqs)) for site, seqs in index.filed] == [("dc-demo", INDEX_GROUP)]
    assert index.closed


def test_a_group_that_fails_is_reported_as_its_batches_failing() -> None:
    sent: list[ToNode] = []
    writer = _IndexWriter(_Index(fail=True), sent.append)
    writer.add("dc-demo", _events(7, 3))
    writer.add("dc-demo", _events(10, 5))
    writer.flush()
    (failed,) = sent
    assert isinstance(failed, BatchFailed)
    assert (failed.site, failed.first, failed.last) == ("dc-demo", 7, 14)
    assert "disk full" in failed.traceback
    assert not writer.pending  # reported once, not retried into every later group
