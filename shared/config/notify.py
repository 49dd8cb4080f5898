"""[notify]: alert channels (Telegram, Discord), severities, rate limit, digests and retries.

A channel is enabled when its credentials are set (Telegram: bot_token and at
least one chat id; Discord: webhook_url). Telegram also answers commands from
the configured chats (`commands`, per-chat scope in [notify.telegram.chats."ID"]:
the accounts a chat sees and, in a group, the user ids that may command);
docs/alerts.md, "Commands from your phone". Secret fields carry
metadata={"secret": True} and repr=False so redaction and status replies mask
them. Severities are info < warning < critical; a channel's min_severity ""
means the table-wide one.
"""
from __future__ import annotations

import attrs

from shared.config.accounts import AmbiguousAccount, find_account
from shared.config.errors import Problem
from shared.config.validators import (FieldError, http_url, in_range, non_negative, one_of, positive,
                                      timezone_name)

SEVERITIES = ("info", "warning", "critical")


def _secret(default: str = ""):
    return attrs.field(default=default, repr=False, metadata={"secret": True})


def _channel_severity():
    return attrs.field(default="", validator=one_of("", *SEVERITIES))


def _user_ids(_inst, attribute, value) -> None:
    bad = [u for u in value if isinstance(u, bool) or not isinstance(u, int) or u <= 0]
    if bad:
        raise FieldError(attribute.name, f"expected Telegram user ids (whole numbers above 0), "
                                         f"got {bad[0]!r}")


@attrs.frozen(kw_only=True)
class ChatScope:
    """One chat's command scope: the accounts it sees (ids or names; empty = every configured
    account) and, for a group chat, the user ids allowed to command in it (empty = nobody)."""
    accounts: list[str] = attrs.Factory(list)
    users: list[int] = attrs.field(factory=list, validator=_user_ids)


@attrs.frozen(kw_only=True)
class TelegramConfig:
    """Bot API sendMessage to every chat id; api_base is configurable for tests and proxies.
    With commands on, the configured chats may also ask (getUpdates long polling)."""
    bot_token: str = _secret()
    chat_ids: list[str] = attrs.Factory(list)
    api_base: str = attrs.field(default="https://api.telegram.org", validator=http_url)
    min_severity: str = _channel_severity()
    commands: bool = True                     # answer /status, /lockout ... from chat_ids
    chats: dict[str, ChatScope] = attrs.Factory(dict)   # per chat id: accounts, group users
    poll_timeout_s: float = attrs.field(default=25.0, validator=in_range(1, 50))  # long poll

    def __attrs_post_init__(self) -> None:
        unknown = [c for c in self.chats if c not in self.chat_ids]
        if unknown:
            raise FieldError("chats", f"expected scopes only for chats listed in chat_ids "
                                      f"({', '.join(self.chat_ids) or 'none'}), got {unknown[0]!r}")

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.chat_ids)

    @property
    def commands_enabled(self) -> bool:
        return self.enabled and self.commands

    def scope(self, chat_id: str) -> ChatScope:
        return self.chats.get(chat_id) or ChatScope()


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
    # the trader's zone: every screen and alert shows times in it; "" = trading_day's
    # (shared/showtime.py, docs/operations.md "Times and time zones")
    timezone: str = attrs.field(default="", validator=_zone)

    def channel_min(self, channel: str) -> str:
        own = getattr(self, channel).min_severity
        return own or self.min_severity


def chat_scope_problems(config) -> list[Problem]:
    """Accounts named in a chat's scope that are not configured (the chat would see nothing)."""
    problems = []
    for chat, scope in config.notify.telegram.chats.items():
        for i, ref in enumerate(scope.accounts):
            try:
                found = find_account(config.accounts, ref)
            except AmbiguousAccount as exc:     # duplicate names: a file that ran before
                problems.append(Problem(f"notify.telegram.chats.{chat}.accounts[{i}]",
                                        f"{exc}: this chat sees neither until then",
                                        "warning"))
                continue
            if found is None:
                known = ", ".join(a.label for a in config.accounts) or "none"
                problems.append(Problem(f"notify.telegram.chats.{chat}.accounts[{i}]",
                                        f"expected a configured account (known: {known}), "
                                        f"got {ref!r}"))
    return problems
