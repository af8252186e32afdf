"""Errors of the store package.

    StockadeError
    └── StoreError               the store cannot do what was asked
        └── MigrationError       the database schema is newer than this code, or a migration failed
"""

from __future__ import annotations

from stockade.errors import StockadeError


class StoreError(StockadeError):
    pass


class MigrationError(StoreError):
    pass
