"""MQTT both ways: SEF/1 and door states in, per-line results and signed door commands out."""
