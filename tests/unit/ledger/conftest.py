from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ledger.keys import LogKeys, load_or_create_log_keys

ORIGIN = "stockade/dc-test"


@pytest.fixture(scope="session")
def log_keys(tmp_path_factory: pytest.TempPathFactory) -> LogKeys:
    return load_or_create_log_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "ledger" / "dc-test"
