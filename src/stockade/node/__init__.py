"""The running node: settings, ingest and sequencing, ledger appends, the engine loop.

``node`` sits between ``store`` and ``api`` in the import order: the API and
the CLI build a :class:`~stockade.node.runtime.Node` and talk to it.
"""
