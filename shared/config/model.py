"""The root config model: one attrs class per TOML table, assembled here."""
from __future__ import annotations

import attrs

from shared.config.access import AdminConfig, OpsConfig
from shared.config.accounts import AccountConfig, ProfileConfig, default_profiles
from shared.config.notify import NotifyConfig
from shared.config.sections import (BrokerConfig, BusConfig, LoggingConfig, PathsConfig,
                                    SupervisorConfig)
from shared.config.trading_day import TradingDayConfig


@attrs.frozen(kw_only=True)
class Config:
    bus: BusConfig = attrs.Factory(BusConfig)
    paths: PathsConfig = attrs.Factory(PathsConfig)
    broker: BrokerConfig = attrs.Factory(BrokerConfig)
    supervisor: SupervisorConfig = attrs.Factory(SupervisorConfig)
    logging: LoggingConfig = attrs.Factory(LoggingConfig)
    trading_day: TradingDayConfig = attrs.Factory(TradingDayConfig)
    accounts: list[AccountConfig] = attrs.Factory(list)
    profiles: dict[str, ProfileConfig] = attrs.Factory(default_profiles)
    admin: AdminConfig = attrs.Factory(AdminConfig)
    ops: OpsConfig = attrs.Factory(OpsConfig)
    notify: NotifyConfig = attrs.Factory(NotifyConfig)
