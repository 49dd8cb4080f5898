"""The commented config `riskctl init` writes for a real ProjectX account (pure: inputs -> text).

The rule tables are generated from the RulesConfig defaults (docs/rules.md), each with the
rule's one-line description and a note on its parameters, so the file documents itself.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import attrs

from shared.config.convert import toml_value_text
from shared.config.rules import COMMON_FIELDS, RULE_NAMES, RulesConfig

# Notes on parameters whose meaning is not obvious from the name.
PARAM_NOTES = {
    "mode": '"enforce" acts; "alert" only logs and notifies what it would do',
    "warn_at": "one warning when the value first reaches this share of the limit",
    ("max_contracts", "limit"): "open contracts allowed on the account",
    ("max_contracts", "count"): '"gross" (sum of sizes) or "net"',
    ("max_contracts", "action"): '"reduce" to the limit or "flatten"',
    ("max_contracts_per_instrument", "limits"): 'e.g. {MNQ = 3, ES = 1}',
    ("max_contracts_per_instrument", "unknown_symbol"): '"allow", "block" or a number',
    ("max_contracts_per_instrument", "action"): '"reduce" or "close"',
    "limit": "a loss is written as a positive amount (500 = stop at -500)",
    "scope": '"position" (each position) or "account" (their sum; locks until the roll)',
    "include_fees": "count fees in realized PnL, as the firms do",
    ("trade_frequency_limit", "per_minute"): "the trade reaching it starts the cooldown (0 = off)",
    ("trade_frequency_limit", "per_minute_cooldown"): "seconds of cooldown per window",
    ("trade_frequency_limit", "per_day"): "per_day / per_week: flatten until the roll (0 = off)",
    ("cooldown_after_loss", "tiers"): "sorted by loss; the largest matching tier wins",
    ("session_block_outside", "default"): 'days from "mon".."sun"; end < start = overnight',
    ("session_block_outside", "sessions"): 'per symbol, e.g. {CL = {start = "17:00", ...}}',
    ("session_block_outside", "holidays_file"): '"" = the [trading_day] holidays',
    ("trade_management", "breakeven_after_ticks"): "0 = that step off",
    ("daily_net_loss", "trailing"): '"none", "realized" or "unrealized"',
    ("drawdown_guard", "trailing"): '"eod" (mark taken at each roll) or "intraday"',
    ("drawdown_guard", "buffer"): "act this far above the firm's max-loss line",
}


def _note(rule: str, param: str) -> str:
    return PARAM_NOTES.get((rule, param)) or PARAM_NOTES.get(param, "")


def _line(key: str, value_text: str, note: str) -> str:
    line = f"{key} = {value_text}"
    return f"{line:<40} # {note}" if note else line


def rules_toml(rules: RulesConfig, prefix: str = "profiles.default.rules") -> str:
    """Every rule's table with all parameters and comments."""
    out = []
    for n, name in enumerate(RULE_NAMES, 1):
        params = getattr(rules, name)
        doc = (type(params).__doc__ or "").strip().splitlines()[0]
        out.append(f"[{prefix}.{name}]")
        out.append(f"# {doc}")
        for f in attrs.fields(type(params)):
            value = getattr(params, f.name)
            if value is None:
                if name == "drawdown_guard" and f.name == "starting_balance":
                    out.append("# starting_balance = 50000          # REQUIRED to enable: your "
                               "firm's account size")
                elif name == "drawdown_guard" and f.name == "line":
                    out.append("# line = 48000                      # optional: the firm's "
                               "current max-loss line (its dashboard)")
                continue
            note = _note(name, f.name) if (f.name not in COMMON_FIELDS or n == 1) else ""
            out.append(_line(f.name, toml_value_text(value), note))
        out.append("")
    return "\n".join(out)


@attrs.frozen(kw_only=True)
class InitAnswers:
    user_name: str
    api_key_env: str = "PROJECTX_API_KEY"
    accounts: tuple = ()                 # (ref, display name): ref is an id (digits) or a name
    admin_hash: str = ""
    ops_hash: str = ""
    rest_url: str = "https://api.topstepx.com"
    user_hub: str = "https://rtc.topstepx.com/hubs/user"
    market_hub: str = "https://rtc.topstepx.com/hubs/market"
    starting_balance: Optional[Decimal] = None     # enables drawdown_guard when given
    today: str = ""


def _q(text: str) -> str:
    return toml_value_text(str(text))


def render_init(a: InitAnswers) -> str:
    rules = RulesConfig()
    if a.starting_balance is not None:
        rules = attrs.evolve(rules, drawdown_guard=attrs.evolve(
            rules.drawdown_guard, enabled=True, starting_balance=a.starting_balance))
    today = a.today or dt.date.today().isoformat()
    accounts = []
    for ref, display in a.accounts or ():
        key = f"id = {int(ref)}" if str(ref).isdigit() else f"name = {_q(ref)}"
        accounts += ["[[accounts]]", f"{key:<40} # the broker's account id or name",
                     _line("display_name", _q(display or ""), "how riskctl and alerts name it"),
                     _line("enabled", "true", "false: riskd does not guard it (admin only)"),
                     _line("profile", '"default"', "the rule set below"),
                     "# per-account overrides, e.g.:",
                     "# [accounts.rules.daily_realized_loss]", "# limit = 300", ""]
    if not accounts:
        accounts = ["# No [[accounts]] listed: every account of the login is guarded with the",
                    "# \"default\" profile. List one to give it a name or other rules:",
                    "# [[accounts]]", "# id = 123456", "# display_name = \"50K combine\"", ""]
    return "\n".join([
        f"# riskd configuration -- written by `riskctl init` on {today}.",
        "# Check it with `riskctl config validate`; edit it by hand or with `riskctl config set`",
        "# / `riskctl rules set` (comments survive, a backup is kept, riskd applies it live).",
        "",
        "[paths]",
        "# A Windows path by hand: single quotes, 'D:\\riskd\\data' (in double quotes a \\ starts",
        "# an escape). See docs/windows.md.",
        _line("data_dir", '"data"', "state, logs and config backups; relative to this file"),
        "",
        "[broker]",
        _line("kind", '"projectx"', '"projectx" or "sim" (the built-in simulator)'),
        _line("rest_url", _q(a.rest_url), "your firm's ProjectX gateway"),
        _line("user_hub", _q(a.user_hub), ""),
        _line("market_hub", _q(a.market_hub), ""),
        _line("user_name", _q(a.user_name), "your ProjectX user name"),
        _line("api_key", _q("${" + a.api_key_env + "}"),
              f"read from the environment variable {a.api_key_env}"),
        "",
        "[supervisor]",
        _line("workers", '["logging", "notify", "market", "risk", "enforcement"]', ""),
        "",
        "[trading_day]",
        _line("roll", '"17:00"', "daily counters reset here (CME Globex day); "
              "`riskctl config set` applies a new time from the next roll "
              "(docs/operations.md)"),
        _line("timezone", '"America/Chicago"', ""),
        _line("holidays", "[]", 'dates without a trading day, e.g. ["2026-12-25"]'),
        _line("holidays_file", '""', "or a file with one date a line"),
        "",
        "[admin]",
        _line("password_hash", _q(a.admin_hash), "bcrypt; change with `riskctl passwd admin`"),
        _line("session_minutes", "15", "how long a login lasts"),
        _line("allow_unlock", "true", "false: lockouts end only on their own"),
        "",
        "[ops]",
        _line("password_hash", _q(a.ops_hash), "restart workers, reload config (riskctl "
              "passwd ops)"),
        _line("session_minutes", "15", ""),
        "",
        "[logging]",
        _line("level", '"INFO"', ""),
        "",
        "# Alerts (see `riskctl notify`): secrets can come from the environment too.",
        "# [notify.telegram]",
        '# bot_token = "${RISKD_TELEGRAM_TOKEN}"',
        '# chat_ids = ["123456789"]',
        "# commands = true    # answer /status, /lockout ... from these chats (docs/alerts.md)",
        "",
        *accounts,
        "[profiles.default]",
        _line("description", '"docs/rules.md defaults"', ""),
        "",
        rules_toml(rules),
    ])
