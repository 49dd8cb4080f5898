"""Notification messages: events any worker may publish for the phone, and notify's control replies.

Any process can publish a NotifyEvent on its PUB (topic 'notify') for an
alert that has no richer message type; DailySummary is the trading-day roll
report. The notify worker answers NotifyTest and NotifyStatusRequest on its
control socket.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

SEVERITIES = ("info", "warning", "critical")
# in NotifyEvent.line_accounts: a header of the account lines after it ("left open, unguarded
# (...):"), kept for a chat only with at least one of them
LINE_HEADER = -1


@attrs.frozen(kw_only=True)
class NotifyEvent:
    """A ready-made alert: kind (e.g. 'config_reload_failed'), severity, a title and detail lines."""
    kind: str
    severity: str = "warning"
    title: str
    lines: list[str] = attrs.Factory(list)
    account: str = ""
    ts_ns: int = 0
    account_id: Optional[int] = None     # the account it is about (None: for every chat)
    # the account each line is about, one per line (None: a line for every chat); empty: the
    # alert is not split. A chat with scopes gets only its accounts' lines (docs/alerts.md)
    line_accounts: list[Optional[int]] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class AccountDay:
    """One account's trading day, for the daily summary."""
    account: str                  # its bare name (chats are scoped by it: notify's _sees)
    pnl: Decimal
    trades: int = 0
    breaches: int = 0
    # the rules breached, each with how many times, most first (services/risk/daytally.py)
    rules: dict[str, int] = attrs.Factory(dict)
    # riskd's actions sent, per Decision.action ("close_position": 2), most first
    actions: dict[str, int] = attrs.Factory(dict)
    lockouts: int = 0             # lockouts taken (added) that day
    unguarded_s: float = 0.0
    account_id: Optional[int] = None    # the summary names it 'Demo 1 (id 1001)' with it


@attrs.frozen(kw_only=True)
class DailySummary:
    """Published (topic 'notify') at the trading-day roll: the day that just ended, per account."""
    trading_day: str            # YYYY-MM-DD
    accounts: list[AccountDay] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class NotifyTest:
    """riskctl notify test: send a test message now on one channel ('' = every configured one)."""
    channel: str = ""


@attrs.frozen(kw_only=True)
class ChannelAnswer:
    channel: str
    ok: bool
    status: Optional[int] = None     # HTTP status, None when no answer came
    answer: str = ""                 # what the channel said (redacted, shortened)


@attrs.frozen(kw_only=True)
class NotifyTestResult:
    answers: list[ChannelAnswer] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class NotifyStatusRequest:
    """Per-channel state of the notify worker."""


@attrs.frozen(kw_only=True)
class ChannelState:
    """state: ok | failing | idle | disabled. A failing channel keeps its queue and retries."""
    name: str
    state: str
    min_severity: str = "info"
    queued: int = 0
    sent: int = 0
    digests: int = 0
    failures: int = 0              # consecutive failed deliveries (after retries)
    last_error: str = ""
    last_ok_ns: Optional[int] = None


@attrs.frozen(kw_only=True)
class CommandsState:
    """Telegram commands: state ok | idle | degraded (e.g. a bad token: 401) | disabled, and
    what came in: answered, ignored (a chat or user not allowed: counted, never acted on),
    refused (a flood beyond the rate limit, a stale /lockout), lockouts executed."""
    state: str
    answered: int = 0
    ignored: int = 0
    refused: int = 0
    lockouts: int = 0
    last_error: str = ""
    last_poll_ns: Optional[int] = None      # the last getUpdates Telegram answered
    offset: int = 0                         # the next update id asked for (persisted)


@attrs.frozen(kw_only=True)
class NotifyStatus:
    channels: list[ChannelState] = attrs.Factory(list)
    commands: Optional[CommandsState] = None


ALL = (NotifyEvent, AccountDay, DailySummary, NotifyTest, ChannelAnswer, NotifyTestResult,
       NotifyStatusRequest, ChannelState, CommandsState, NotifyStatus)
