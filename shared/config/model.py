"""The root config model: one attrs class per TOML table, assembled here."""
from __future__ import annotations

import attrs

from shared.config.sections import (BrokerConfig, BusConfig, LoggingConfig, PathsConfig,
                                    SupervisorConfig)


@attrs.frozen(kw_only=True)
class Config:
    bus: BusConfig = attrs.Factory(BusConfig)
    paths: PathsConfig = attrs.Factory(PathsConfig)
    broker: BrokerConfig = attrs.Factory(BrokerConfig)
    supervisor: SupervisorConfig = attrs.Factory(SupervisorConfig)
    logging: LoggingConfig = attrs.Factory(LoggingConfig)
