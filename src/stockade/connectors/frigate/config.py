"""Settings of the Frigate connector (``[connectors.frigate]`` in ``stockade.toml``).

    [connectors.frigate]
    site = "dc-demo"
    prefix = "frigate"                        # Frigate's mqtt.topic_prefix
    broker = {host = "127.0.0.1", port = 1883}
    api_url = "http://frigate.local:5000"     # for evidence retention; optional

Which Frigate camera is which Stockade camera, and its zones, is in the site
file (``cameras[].frigate``), next to the camera it describes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from stockade.connectors.broker import BrokerSettings


class FrigateSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    site: str = Field(description="the site whose cameras this Frigate records")
    prefix: str = Field("frigate", pattern=r"^[A-Za-z0-9._-]{1,64}$", description="Frigate's mqtt.topic_prefix")
    client_id: str = Field("stockade-frigate", description="MQTT client id (one per node and Frigate)")
    broker: BrokerSettings = Field(default_factory=BrokerSettings, description="the broker Frigate publishes to")
    batch_max: int = Field(2000, ge=1, le=50_000, description="messages committed together at most")
    api_url: str | None = Field(None, description="Frigate's HTTP API (e.g. http://frigate:5000), for evidence")
    api_token: SecretStr | None = Field(None, description="bearer token for Frigate's API, if it requires one")
    api_timeout_s: float = Field(5.0, gt=0, description="timeout of one Frigate API request")
