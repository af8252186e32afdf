"""``stockade`` command line. Each command group lives in its own module and
registers itself on :data:`stockade.cli.app.app` when imported here."""

from __future__ import annotations

from stockade.cli import analyze as _analyze  # noqa: F401  (registers commands)
from stockade.cli import bench as _bench  # noqa: F401
from stockade.cli import cluster as _cluster  # noqa: F401
from stockade.cli import connectors as _connectors  # noqa: F401
from stockade.cli import demo as _demo  # noqa: F401
from stockade.cli import drill as _drill  # noqa: F401
from stockade.cli import evidence as _evidence  # noqa: F401
from stockade.cli import ingest as _ingest  # noqa: F401
from stockade.cli import keys as _keys  # noqa: F401
from stockade.cli import ledger as _ledger  # noqa: F401
from stockade.cli import node as _node  # noqa: F401
from stockade.cli import playbook as _playbook  # noqa: F401
from stockade.cli import policy as _policy  # noqa: F401
from stockade.cli import report as _report  # noqa: F401
from stockade.cli import sim as _sim  # noqa: F401
from stockade.cli import site as _site  # noqa: F401
from stockade.cli import witness as _witness  # noqa: F401
from stockade.cli.app import app
from stockade.node.tuning import tune_gc


def main() -> None:
    tune_gc()
    app()


__all__ = ["app", "main"]
