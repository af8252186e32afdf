"""docs/cluster.md documents every cluster setting and names what the code uses."""

from __future__ import annotations

from pathlib import Path

from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.nats.link import OUT_STREAM_SUFFIX
from stockade.connectors.nats.mapping import IN_PREFIX, OUT_PREFIX, consumer_name, subject_in

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cluster.md").read_text(encoding="utf-8")


def test_every_cluster_setting_is_documented() -> None:
    for name in ClusterSettings.model_fields:
        assert f"`[cluster] {name}`" in DOC, name


def test_the_subjects_stream_and_bucket_are_the_codes() -> None:
    settings = ClusterSettings()
    assert f"stream `{settings.stream}`" in DOC
    assert f"stream `{settings.stream}{OUT_STREAM_SUFFIX}`" in DOC
    assert f"KV bucket `{settings.lease_bucket}`" in DOC
    assert f"`{IN_PREFIX}<site>`" in DOC
    assert f"`{OUT_PREFIX}<site>`" in DOC
    assert subject_in("a.b") == IN_PREFIX + "a%2Eb"
    assert "%2E" in DOC
    assert consumer_name("dc-1").startswith("stk-")
    assert "consumer `stk-" in DOC
