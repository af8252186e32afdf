"""The HTTP API (``/v1``): an app factory, one router per area, API-key authentication."""
