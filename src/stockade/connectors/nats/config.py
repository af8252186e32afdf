"""The cluster's settings, under ``cluster`` in the node's settings (``[cluster]`` in stockade.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClusterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    nats_url: str = Field("nats://127.0.0.1:4222", description="the NATS server (with JetStream) of the cluster")
    stream: str = Field("STOCKADE", description="the JetStream stream of input events (subjects stk.in.<site>)")
    partitions: int = Field(8, ge=1, le=1024, description="how many partitions the sites are spread over; "
                            "the same on every node, changed only with the cluster stopped")
    lease_bucket: str = Field("stockade-leases", description="the KV bucket of partition leases")
    lease_s: float = Field(6.0, gt=0.5, le=60, description="a lease not renewed for this long expires: the most "
                           "a killed worker's partitions wait for a new owner")
    worker_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$",
                                  description="this worker's name in the lease bucket; default: host and pid")
    publish_timeout_s: float = Field(5.0, gt=0, description="how long an API node waits for JetStream's "
                                     "acknowledgement before answering 503")
    batch: int = Field(256, ge=1, le=10_000, description="messages a worker takes from a site per fetch; "
                       "also the consumer's max_ack_pending, so a redelivery comes before newer messages")
    facts_bucket: str = Field("stockade-facts", description="the KV bucket where each site's owner publishes "
                              "the access decision point's facts and a heartbeat of their position")
    facts_max_age_s: float = Field(5.0, gt=0.2, le=300, description="an API node denies (fail secure) a site's "
                                   "decisions when no heartbeat of the site's facts came from its owner for "
                                   "this long; the owner beats every quarter of it")
