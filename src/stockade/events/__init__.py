"""SEF/1 events: types, strict decoding, canonical encoding. Imports nothing else of Stockade."""

from stockade.events.canonical import canonical_event, canonical_json
from stockade.events.decode import decode_event, split_body
from stockade.events.errors import EventError
from stockade.events.model import (
    Access,
    Action,
    Admin,
    Alert,
    Checkpoint,
    Decision,
    Device,
    Door,
    Entities,
    Envelope,
    Event,
    Gate,
    Incident,
    InputEvent,
    Sensor,
    Stock,
    Tag,
    Tick,
    Video,
)

__all__ = [
    "Access", "Action", "Admin", "Alert", "Checkpoint", "Decision", "Device", "Door",
    "Entities", "Envelope", "Event", "EventError", "Gate", "Incident", "InputEvent",
    "Sensor", "Stock", "Tag", "Tick", "Video", "canonical_event", "canonical_json",
    "decode_event", "split_body",
]
