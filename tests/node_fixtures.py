"""A node on a temporary data directory with the demo site, and keys for each scope."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from fastapi.testclient import TestClient

from stockade.api.app import create_app
from stockade.node.keys import new_key
from stockade.node.runtime import Node
from stockade.node.settings import Settings

DEMO_SITE = Path(__file__).resolve().parent.parent / "examples" / "sites" / "dc-demo.yaml"


def now_iso(offset_s: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=offset_s)).isoformat()


def door_line(event_id: str, *, site: str = "dc-demo", source: str = "ctl-1", **extra: object) -> bytes:
    body = {"id": event_id, "kind": "door", "ts": now_iso(-60), "site": site, "source": source,
            "door": "D-HV", "state": "open", **extra}
    return msgspec.json.encode(body)


@dataclass
class Api:
    client: TestClient
    node: Node
    keys: dict[str, str]

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}


def wait_projected(node: Node, site: str, timeout: float = 5.0) -> None:
    """Wait until the engine has applied everything committed (projections lag the ack)."""
    assert node.wait_for_engine(site, timeout), f"engine did not catch up with {site} within {timeout} s"


def make_node(data_dir: Path, **settings: object) -> Node:
    (data_dir / "sites").mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_SITE, data_dir / "sites" / "dc-demo.yaml")
    return Node.open(Settings(data_dir=data_dir, **settings))  # type: ignore[arg-type]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    node = make_node(tmp_path / "data", max_body_bytes=160_000)
    keys: dict[str, str] = {}
    for name, scopes, site, sources in (
        ("ingest", ("ingest",), "dc-demo", ("ctl-1", "nvr-1")),
        ("other-site", ("ingest",), "dc-other", ("ctl-1",)),
        ("read", ("read",), None, ()),
        ("admin", ("admin",), None, ()),
        ("pep", ("pep",), None, ()),
    ):
        token, record = new_key(scopes, site=site, sources=sources)
        node.store.put_key(record)
        keys[name] = token
    with TestClient(create_app(node)) as client:
        assert node.recovery.wait(30), "the node should have recovered its empty log"
        yield Api(client, node, keys)
