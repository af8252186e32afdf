"""A connector's binding is an ingest principal: sources named or nothing written, device kinds by default."""

from __future__ import annotations

from pathlib import Path

from stockade.connectors.base import Binding
from stockade.node.connectors import principal_for
from stockade.site.sources import DEVICE_KINDS
from tests.node_fixtures import door_line, make_node


def test_a_binding_with_no_sources_writes_nothing(tmp_path: Path) -> None:
    node = make_node(tmp_path / "data")
    try:
        principal = principal_for(Binding("mqtt", "dc-demo"))
        report = node.ingestor.ingest_body(door_line("b1"), principal=principal)
        assert [(r.status, r.field) for r in report.results] == [("rejected", "source")]
        assert str(report.results[0].reason).startswith("forbidden: key connector:mqtt is bound to no source")
    finally:
        node.stop()


def test_a_binding_without_kinds_takes_the_device_kinds_and_named_kinds_are_kept() -> None:
    assert principal_for(Binding("mqtt", "dc-demo", frozenset({"ctl-1"}))).kinds == DEVICE_KINDS
    named = principal_for(Binding("frigate", "dc-demo", frozenset({"CAM-1"}), frozenset({"video"})))
    assert (named.key_id, named.site, named.sources, named.kinds) == (
        "connector:frigate", "dc-demo", frozenset({"CAM-1"}), frozenset({"video"}))
