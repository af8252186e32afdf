"""Node settings: ``stockade.toml`` in the working directory, then ``STOCKADE_*`` variables.

    >>> s = Settings(data_dir=Path("/var/lib/stockade"))      # doctest: +SKIP
    >>> s.store_path                                           # doctest: +SKIP

Nothing is read at import time: ``Settings()`` reads the file and the
environment when it is built, and the app factory takes the object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from stockade.connectors.nats.config import ClusterSettings
from stockade.connectors.settings import ConnectorsSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STOCKADE_", toml_file="stockade.toml", extra="forbid", frozen=True
    )

    data_dir: Path = Field(Path("stockade-data"), description="where the store, ledger tiles and keys live")
    host: str = Field("127.0.0.1", description="address `stockade serve` listens on")
    port: int = Field(8700, ge=1, le=65535, description="port `stockade serve` listens on")
    postgres_dsn: str | None = Field(None, description="use PostgreSQL instead of the embedded SQLite store")
    sites: list[Path] = Field(default_factory=list, description="site files loaded at start")
    policy_dir: str | None = Field(None, description="Cedar policy directory; default: the shipped pack")
    max_body_bytes: int = Field(16 * 1024 * 1024, gt=0, description="larger request bodies get 413")
    max_future_s: int = Field(300, ge=0, description="events further ahead of the clock are rejected")
    snapshot_every: int = Field(50_000, gt=0, description="snapshot period of the engine and of the access "
                                "decision point, in log positions per site")
    checkpoint_interval_s: float = Field(1.0, gt=0, description="checkpoint period while entries arrive")
    witness_interval_s: float = Field(30.0, gt=0, description="how often witnesses are asked to cosign")
    engine: Literal["thread", "process"] | None = Field(
        None, description="detection in a worker process (the second core; the default of serve and demo) "
        "or in a thread of the node (the default of one-shot commands such as ingest)",
    )
    ledger_state_dir: Path | None = Field(
        None, description="where the latest signed checkpoint of each log is kept, outside the data directory, "
        "so a rollback of the data directory is refused at start; default $XDG_CONFIG_HOME/stockade/ledger-state",
    )
    ledger_audit_interval_s: float = Field(
        3600.0, gt=0, description="how often the running node holds every store row against its log",
    )
    accept_damage: bool = Field(
        False, description="start even when the start-up ledger check fails (the damaged log is frozen)",
    )
    playbook_dir: Path | None = Field(None, description="incident response playbooks; default: the shipped pack")
    drill: bool = Field(False, description="drill mode: response ports record, nothing is sent, actions marked drill")
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        "FULL", description="FULL survives power loss; NORMAL survives a killed process only"
    )
    role: Literal["all", "api", "worker"] = Field(
        "all", description="all: the embedded node; api or worker: one process of a cluster on NATS JetStream and "
        "PostgreSQL (docs/cluster.md)",
    )
    cluster: ClusterSettings = Field(
        default_factory=ClusterSettings, description="NATS, partitions and leases of a cluster (roles api, worker)"
    )
    connectors: ConnectorsSettings = Field(
        default_factory=ConnectorsSettings, description="MQTT, Frigate, webhooks, SIEM export (docs/connectors.md)"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
