"""docs/connectors.md is true: its settings example loads, every setting is in it, every topic it names exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel

from stockade.connectors.broker import BrokerSettings
from stockade.connectors.frigate.config import FrigateSettings
from stockade.connectors.mqtt import mapping
from stockade.connectors.mqtt.config import BindingSettings, DoorSettings, MqttSettings
from stockade.connectors.settings import ConnectorsSettings
from stockade.connectors.siem.config import SiemDestination, SiemSettings
from stockade.connectors.webhook.config import Destination, WebhookSettings

DOC = (Path(__file__).resolve().parents[3] / "docs" / "connectors.md").read_text(encoding="utf-8")
MODELS: list[type[BaseModel]] = [BrokerSettings, MqttSettings, BindingSettings, DoorSettings, FrigateSettings,
                                 WebhookSettings, Destination, SiemSettings, SiemDestination]


def test_the_settings_example_is_valid() -> None:
    block = re.search(r"```toml\n(.*?)```", DOC, re.S)
    assert block is not None
    parsed = tomllib.loads(block.group(1))
    settings = ConnectorsSettings.model_validate(parsed["connectors"])
    assert settings.mqtt is not None
    assert settings.frigate is not None
    assert settings.webhooks is not None
    assert settings.siem is not None
    assert set(settings.siem.destinations) == {"soc", "splunk"}


def test_every_setting_is_documented() -> None:
    missing = [f"{m.__name__}.{name}" for m in MODELS for name in m.model_fields if f"{name}" not in DOC]
    assert not missing, f"add to docs/connectors.md: {missing}"


def test_the_topics_it_names_are_the_ones_used() -> None:
    for topic in (mapping.results_topic("<p>", "<site>", "<source>"), mapping.door_set_topic("<p>", "<site>", "<door>"),
                  mapping.door_state_topic("<p>", "<site>", "<door>"), mapping.node_available_topic("<p>", "<node>"),
                  mapping.ack_topic("<p>", "<node>")):
        assert f"`{topic}`" in DOC
