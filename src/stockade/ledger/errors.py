"""Errors of the ledger package.

    StockadeError                     (stockade.errors)
    └── LedgerError                   anything the ledger refuses or cannot verify
        ├── ProofError                an inclusion or consistency proof that does not verify
        ├── NoteError                 a signed note, vkey or key that is malformed or does not verify
        │   └── CheckpointError       a note whose text is not a valid tlog-checkpoint
        ├── TileError                 a tile path or a tile/entry bundle that is malformed or missing
        ├── KeyFileError              a key file that is missing, unreadable or too open (not 0600)
        ├── LogStateError             a log directory whose files disagree (damaged, or the wrong origin)
        ├── SigningHeldError          the node has not finished checking the log since it started
        └── VerificationError         whole-log verification failed: names what is bad (``problem``)

Every message says what is wrong and, where there is one, what to do.
"""

from __future__ import annotations

from stockade.errors import StockadeError


class LedgerError(StockadeError):
    """Base of every ledger error."""


class ProofError(LedgerError):
    """A Merkle proof that does not verify (RFC 9162 §2.1.3.2, §2.1.4.2)."""


class NoteError(LedgerError):
    """A signed note, verifier key or signature that is malformed or does not verify."""


class CheckpointError(NoteError):
    """A note whose text is not a C2SP tlog-checkpoint body."""


class TileError(LedgerError):
    """A tile path, tile or entry bundle that is malformed or missing."""


class KeyFileError(LedgerError):
    """A key file that is missing, unreadable, or readable by others."""


class LogStateError(LedgerError):
    """A log directory whose files disagree with each other or with the expected origin."""


class SigningHeldError(LedgerError):
    """The log signs nothing until the node's first running audit of it has passed."""


class VerificationError(LedgerError):
    """Whole-log verification failed; ``problem`` names the first bad entry, tile or checkpoint."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
