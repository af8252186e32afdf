"""The root of Stockade's error tree.

    StockadeError
    ├── events.errors.EventError        bad SEF/1 input (field, reason)
    ├── site.errors.SiteConfigError     bad site file (file, field, problem)
    ├── store.errors.StoreError         the store cannot do what was asked
    ├── ledger.errors.LedgerError       proofs, notes, tiles that do not verify
    └── access.errors.AccessError       policies that do not load or validate

Each package's ``errors.py`` draws its own branch. Third-party exceptions are
translated at the boundary with ``raise ... from e``.
"""


class StockadeError(Exception):
    """Base of every error Stockade raises on purpose."""
