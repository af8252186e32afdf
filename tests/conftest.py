"""Shared fixtures, and the loud check for the real services tests need.

Tests marked ``postgres``, ``mqtt`` or ``nats`` talk to the real server on
127.0.0.1; tests marked ``browser`` drive the system Chromium. When one is
missing the run says so in red; under ``CI=true`` a missing service fails the
test instead of skipping it.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "examples" / "sites" / "dc-demo.yaml"

pytest_plugins = ["tests.node_fixtures", "tests.mqtt_helpers"]  # mqtt_helpers: the `prefix` fixture

SERVICES = {"postgres": 5432, "mqtt": 1883, "nats": 4222}
CHROMIUM = Path("/usr/bin/chromium")
_missing: dict[str, str] = {}


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    for name, port in SERVICES.items():
        if not _reachable(port):
            _missing[name] = f"{name} is not reachable on 127.0.0.1:{port}"
    if not CHROMIUM.exists():
        _missing["browser"] = f"the system Chromium ({CHROMIUM}) is not installed: `apt-get install chromium`"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    in_ci = os.environ.get("CI", "").lower() == "true"
    for item in items:
        for name, why in _missing.items():
            if name in item.keywords:
                if in_ci:
                    item.add_marker(pytest.mark.usefixtures("_service_required_in_ci"))
                else:
                    item.add_marker(pytest.mark.skip(reason=f"SERVICE MISSING: {why}"))


@pytest.fixture(autouse=True)
def _ledger_state_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nodes keep their latest checkpoint outside the data directory (default under ~/.config):
    in tests, in a temporary directory of the test's own (subprocesses inherit it)."""
    monkeypatch.setenv("STOCKADE_LEDGER_STATE_DIR", str(tmp_path_factory.mktemp("ledger-state")))


@pytest.fixture
def _service_required_in_ci(request: pytest.FixtureRequest) -> None:
    missing = [why for name, why in _missing.items() if name in request.node.keywords]
    pytest.fail("CI=true and a required service is missing: " + "; ".join(missing))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _missing:
        terminalreporter.section("MISSING SERVICES", sep="!", red=True, bold=True)
        for why in _missing.values():
            terminalreporter.write_line(f"  {why}: tests that need it did NOT run", red=True)


@pytest.fixture(scope="session")
def demo_site_path() -> Path:
    return DEMO_SITE
