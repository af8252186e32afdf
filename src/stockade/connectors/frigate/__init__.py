"""Frigate NVR: its MQTT feed in as SEF/1 ``video`` and ``device`` events; its HTTP API as the evidence store."""
