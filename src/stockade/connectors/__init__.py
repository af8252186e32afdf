"""Connectors: one folder per outside system (mqtt/, frigate/, webhook/, siem/).

Each folder has ``config.py`` (pydantic settings), a pure ``mapping.py`` and an
``adapter.py``; they implement the response ports and feed the node's ingest
path. Folders never import one another; what they share lives beside them:
``base.py`` (the binding, the ingest sink, health) and ``broker.py`` (an MQTT
session that reconnects with backoff).
"""
