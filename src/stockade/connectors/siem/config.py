"""Settings of the SIEM export (``[connectors.siem]`` in ``stockade.toml``).

    [connectors.siem.destinations.soc-syslog]
    transport = "syslog"
    host = "siem.example"
    port = 6514
    tls = true
    [connectors.siem.destinations.splunk]
    transport = "http"
    url = "https://splunk.example:8088/services/collector/event"
    style = "hec"
    token = "…"
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiemDestination(_Model):
    transport: Literal["syslog", "http"] = Field(description="RFC 5424 syslog over TCP, or HTTP POST")
    format: Literal["ocsf", "cef"] = Field("ocsf", description="OCSF JSON, or ArcSight CEF (syslog only)")
    kinds: tuple[Literal["alert", "incident", "decision"], ...] = Field(
        ("alert", "incident", "decision"), description="what to export")
    sites: list[str] = Field(default_factory=list, description="sites to export; empty: every loaded site")
    host: str = Field("127.0.0.1", description="syslog: the collector's host")
    port: int = Field(6514, ge=1, le=65535, description="syslog: the collector's TCP port (6514 with TLS)")
    tls: bool = Field(False, description="syslog: TLS (RFC 5425)")
    ca_file: Path | None = Field(None, description="syslog TLS: CA bundle of the collector's certificate")
    facility: int = Field(13, ge=0, le=23, description="syslog facility (13: log audit)")
    hostname: str = Field("stockade", description="syslog HOSTNAME field")
    url: str | None = Field(None, pattern=r"^https?://", description="http: where to POST")
    style: Literal["hec", "bulk", "json"] = Field(
        "json", description="http: Splunk HEC events, Elasticsearch _bulk NDJSON, or a JSON array")
    index: str = Field("stockade", description="http bulk: the Elasticsearch index")
    token: SecretStr | None = Field(None, description="http: HEC token (Splunk) or bearer token")
    batch: int = Field(500, ge=1, le=10_000, description="findings per request or connection write")
    timeout_s: float = Field(10.0, gt=0, description="timeout of one send")


class SiemSettings(_Model):
    destinations: dict[str, SiemDestination] = Field(default_factory=dict, description="named SIEM destinations")
    poll_s: float = Field(1.0, gt=0, description="how often the log is looked at for new findings")
    retry_max_s: float = Field(60.0, gt=0, description="longest wait between attempts at an unreachable SIEM")
