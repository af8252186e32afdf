"""Settings of the MQTT connector (``[connectors.mqtt]`` in ``stockade.toml``).

    [connectors.mqtt]
    node = "node-1"
    broker = {host = "127.0.0.1", port = 1883}
    binding = {site = "dc-demo", sources = ["D-101", "ctl-1"], kinds = []}
    doors = {signed = true, ttl_s = 30}
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from stockade.connectors.broker import BrokerSettings

TopicWord = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,128}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BindingSettings(_Model):
    site: str | None = Field(None, description="the one site this connector may write for; empty: any site")
    sources: list[str] = Field(default_factory=list, description="sources it may write for; empty: none "
                               "(every event is refused: name the devices and systems that publish)")
    kinds: list[str] = Field(default_factory=list, description="event kinds it may write; empty: the device kinds "
                             "(access, door, sensor, video, tag, device, gate)")


class DoorSettings(_Model):
    signed: bool = Field(True, description="send signed JSON commands; false: Home Assistant's plain "
                         "LOCK/UNLOCK, for controllers that cannot verify a signature")
    ttl_s: int = Field(30, ge=1, le=3600, description="a command's validity (not_after = now + ttl_s) "
                       "when the intent gives none")
    publish_timeout_s: float = Field(2.0, gt=0, description="how long to wait for the broker to take a command")


class MqttSettings(_Model):
    node: TopicWord = Field("node-1", description="this node's name in `stockade/node/<node>/available`")
    prefix: TopicWord = Field("stockade", description="first level of every Stockade topic")
    broker: BrokerSettings = Field(default_factory=BrokerSettings, description="the MQTT broker")
    binding: BindingSettings = Field(default_factory=BindingSettings,
                                     description="the site, sources and kinds this connector may write")
    sites: list[str] = Field(default_factory=list, description="sites to subscribe for; empty: every site (+)")
    batch_max: int = Field(2000, ge=1, le=50_000, description="messages committed together at most")
    door_states: bool = Field(True, description="subscribe to doors' Home Assistant lock states")
    controllers: bool = Field(True, description="subscribe to door controllers' availability")
    doors: DoorSettings = Field(default_factory=DoorSettings, description="door commands out")
    role: Literal["ingest", "commands", "both"] = Field(
        "both", description="ingest only, door commands only, or both"
    )
