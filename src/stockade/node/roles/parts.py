"""What a role injects into the node: the parts that differ between the embedded node and the cluster."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stockade.ledger.source import TileStore
from stockade.node.ingest import Forward
from stockade.node.sequencer import Sequencer


@dataclass(frozen=True, slots=True)
class RoleParts:
    sequencer: Sequencer | None = None
    """Who may sequence a site now; default: a per-site lock (:class:`~stockade.node.sequencer.LocalSequencer`)."""
    tiles: Callable[[str], TileStore] | None = None
    """A site's ledger tile store; default: ``<data>/ledger/<site>``."""
    keeps_ledgers: bool = True
    """False for a cluster API node: it writes no log (the worker owning the site does)."""
    forward: Forward | None = None
    """A cluster API node's: valid events go to the bus, not to this process's store."""
