"""[notify]: alert channels (Telegram, Discord), severities, rate limit, digests and retries.

A channel is enabled when its credentials are set (Telegram: bot_token and at
least one chat id; Discord: webhook_url). Secret fields carry
metadata={"secret": True} and repr=False so redaction and status replies mask
them. Severities are info < warning < critical; a channel's min_severity ""
means the table-wide one.
"""
from __future__ import annotations

import attrs

from shared.config.validators import (http_url, in_range, non_negative, one_of, positive,
                                      timezone_name)

SEVERITIES = ("info", "warning", "critical")


def _secret(default: str = ""):
    return attrs.field(default=default, repr=False, metadata={"secret": True})


def _channel_severity():
    return attrs.field(default="", validator=one_of("", *SEVERITIES))


@attrs.frozen(kw_only=True)
class TelegramConfig:
    """Bot API sendMessage to every chat id; api_base is configurable for tests and proxies."""
    bot_token: str = _secret()
    chat_ids: list[str] = attrs.Factory(list)
    api_base: str = attrs.field(default="https://api.telegram.org", validator=http_url)
    min_severity: str = _channel_severity()

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.chat_ids)


def _webhook(_inst, attribute, value) -> None:
    if value:
        http_url(_inst, attribute, value)


@attrs.frozen(kw_only=True)
class DiscordConfig:
    """A Discord webhook URL (the URL itself is the secret)."""
    webhook_url: str = attrs.field(default="", repr=False, metadata={"secret": True},
                                   validator=_webhook)
    min_severity: str = _channel_severity()

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url)


def _zone(_inst, attribute, value) -> None:
    if value:
        timezone_name(_inst, attribute, value)


@attrs.frozen(kw_only=True)
class NotifyConfig:
    telegram: TelegramConfig = attrs.Factory(TelegramConfig)
    discord: DiscordConfig = attrs.Factory(DiscordConfig)
    min_severity: str = attrs.field(default="info", validator=one_of(*SEVERITIES))
    rate_per_minute: int = attrs.field(default=10, validator=in_range(1, 600))  # per channel
    digest_quiet_s: float = attrs.field(default=5.0, validator=non_negative)   # calm before digest
    digest_max_wait_s: float = attrs.field(default=60.0, validator=positive)   # ...or at most this
    disconnect_alert_after_s: float = attrs.field(default=30.0, validator=non_negative)
    retry_tries: int = attrs.field(default=3, validator=in_range(1, 10))
    retry_initial_s: float = attrs.field(default=1.0, validator=positive)      # exponential backoff
    retry_max_s: float = attrs.field(default=30.0, validator=positive)         # also caps retry_after
    failed_retry_s: float = attrs.field(default=60.0, validator=positive)      # failing channel pause
    timeout_s: float = attrs.field(default=10.0, validator=positive)           # one HTTP request
    timezone: str = attrs.field(default="", validator=_zone)   # trader's zone; "" = trading_day's

    def channel_min(self, channel: str) -> str:
        own = getattr(self, channel).min_severity
        return own or self.min_severity
