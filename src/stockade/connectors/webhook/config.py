"""Settings of outgoing webhooks (``[connectors.webhooks]`` in ``stockade.toml``).

    [connectors.webhooks]
    flow_destination = "wms"
    [connectors.webhooks.destinations.security-desk]
    url = "https://desk.example/hooks/stockade"
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Destination(_Model):
    url: str = Field(pattern=r"^https?://", description="where messages are POSTed")
    secret: SecretStr = Field(description="the Standard Webhooks signing secret, `whsec_<base64>`")
    timeout_s: float = Field(10.0, gt=0, description="timeout of one delivery attempt")


class WebhookSettings(_Model):
    destinations: dict[str, Destination] = Field(default_factory=dict, description="named receivers")
    flow_destination: str | None = Field(None, description="the destination (a WMS) that receives flow holds")
    backoff_base_s: float = Field(1.0, gt=0, description="first retry delay; doubles each attempt (full jitter)")
    backoff_max_s: float = Field(300.0, gt=0, description="longest delay between attempts")
    give_up_after_s: float = Field(86_400.0, gt=0, description="after this long undelivered, a message goes to "
                                   "the dead-letter list")
    poll_s: float = Field(0.2, gt=0, description="how often the outbox is looked at when idle")
