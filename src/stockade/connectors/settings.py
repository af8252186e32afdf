"""All connectors' settings, nested under ``connectors`` in the node's settings.

    [connectors.mqtt]
    node = "node-1"
    [connectors.frigate]
    site = "dc-demo"

A connector whose table is absent is not started.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from stockade.connectors.frigate.config import FrigateSettings
from stockade.connectors.mqtt.config import MqttSettings
from stockade.connectors.siem.config import SiemSettings
from stockade.connectors.webhook.config import WebhookSettings


class ConnectorsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mqtt: MqttSettings | None = Field(None, description="Stockade's MQTT topics: events in, door commands out")
    frigate: FrigateSettings | None = Field(None, description="a Frigate NVR: its MQTT feed in, its API for evidence")
    webhooks: WebhookSettings | None = Field(None, description="webhooks out: notifications and flow holds")
    siem: SiemSettings | None = Field(None, description="SIEM export of alerts, incidents and decisions")
