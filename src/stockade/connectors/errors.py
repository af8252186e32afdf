"""Errors of the connectors.

    ConnectorError            a connector could not do what it was asked
    ├── ConnectorConfigError  its settings or the site file do not allow it (fix the configuration)
    ├── MappingRefused        one outside payload cannot become SEF/1 (the reason says why; others go on)
    └── BusUnavailable        the cluster's NATS JetStream did not acknowledge in time (answer 503, retry)
"""

from __future__ import annotations


class ConnectorError(Exception):
    """A connector could not do what it was asked."""


class ConnectorConfigError(ConnectorError):
    """The connector's settings or the site file are wrong; the message says which setting."""


class MappingRefused(ConnectorError):
    """One payload cannot be mapped to SEF/1; ``reason`` names why (published or counted, never silent)."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


class BusUnavailable(ConnectorError):
    """NATS JetStream is unreachable or did not acknowledge in time: nothing was accepted, retry later."""
