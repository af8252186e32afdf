"""Compliance, inventory and incident reports: pure functions over the store and the ledger."""
