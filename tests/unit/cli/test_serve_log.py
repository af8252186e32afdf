"""`stockade serve`'s log handler (cli/node.py): one handler, writing to stderr as it is at each record.

A handler bound to the stderr of one CliRunner call outlived it, and every later record of any test
printed "--- Logging error ---" with a traceback (the README block test then failed, by test order).
"""

from __future__ import annotations

import io
import logging
import sys

import pytest

from stockade.cli.node import _log_to_stderr, _Stderr


def test_the_handler_is_added_once_and_follows_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger("stockade")
    before = list(root.handlers)
    try:
        first = io.StringIO()
        monkeypatch.setattr(sys, "stderr", first)
        _log_to_stderr()
        _log_to_stderr()
        assert sum(isinstance(h, _Stderr) for h in root.handlers) == 1  # however many serves ran before
        first.close()  # the runner's stream is gone
        second = io.StringIO()
        monkeypatch.setattr(sys, "stderr", second)
        logging.getLogger("stockade.node.test").info("recovered")
        assert "recovered" in second.getvalue()
        assert "Logging error" not in second.getvalue()
    finally:
        root.handlers[:] = before
