"""The lockout that holds longest comes first, wherever lockouts are listed (fresh-user trial
2026-12-06): `riskctl watch` showed "COOLDOWN 29m25s (until Sat 22:13:43 CST) --
trade_frequency_limit" above "LOCKED OUT 1d19h15m (until Mon 17:00 CST) -- daily_realized_loss"
(the order they started in) and the trader read he could trade in 29 minutes; "🔒 Lockout
enforced" named the cooldown while the lockout until the roll covered the account too."""
from __future__ import annotations

from cli.commands._risk_view import lockout_rows
from cli.watch.model import build_screen
from services.notify.bot.answers import lockouts_text, status_text
from services.notify.templates import Context
from shared.clock import NS_PER_S
from shared.messages.control import SupervisorStatus
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, state
from tests.unit.risk.desk import MNQ, NS, SIDE_SELL, Desk

ROLL = NOW + (2 * 3600 + 56 * 60 + 33) * NS_PER_S          # Wed 17:00 CST
COOLDOWN = lockout(kind="timer", rule_name="trade_frequency_limit", reason="3 of 3 per minute",
                   until_ns=NOW + 1765 * NS_PER_S)
SUP = SupervisorStatus(pid=1, started_ns=NOW, config_path="riskd.toml")
DAILY = lockout(kind="until_reset", rule_name="daily_realized_loss", until_ns=ROLL)


def test_the_watch_banner_leads_with_the_lockout_until_the_roll_not_the_cooldown():
    a = build_screen(state(account(lockouts=[COOLDOWN, DAILY])), NOW, CHICAGO, CALENDAR,
                     0).accounts[0]
    assert [b.kind for b in a.banners] == ["LOCKED OUT", "COOLDOWN"], a.banners
    assert a.banners[0].countdown == "2h56m33s (until Wed 17:00:00 CST)"


def test_riskctl_lockouts_lists_the_longest_first():
    table = lockout_rows([COOLDOWN, DAILY], tz=CHICAGO, now_ns=NOW).splitlines()
    rules = [line for line in table if "daily_realized_loss" in line
             or "trade_frequency_limit" in line]
    assert "daily_realized_loss" in rules[0] and "trade_frequency_limit" in rules[1], table


def test_the_phone_lists_the_longest_first_in_lockouts_and_status():
    ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    for text in (lockouts_text([account(lockouts=[COOLDOWN, DAILY])], ctx, NOW),
                 status_text([account(lockouts=[COOLDOWN, DAILY])], SUP,
                             True, ctx, NOW)):
        assert text.index("daily_realized_loss") < text.index("trade_frequency_limit"), text


def test_lockout_enforcement_acts_for_and_names_the_lockout_that_holds_longest():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.long(1, MNQ, 21000)
    desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 1800 * NS)   # 30 minutes, first
    desk.trade("-611.18", contract=MNQ, side=SIDE_SELL)      # then locked until the roll
    assert [lk.rule for lk in desk.engine.lockouts.all()] == ["daily_realized_loss",
                                                                "self_lockout"]
    desk.now += 5 * NS
    [d] = desk.trade(None, contract=MNQ, trade_id=99).decisions       # a buy while locked
    assert d.rule == "lockout" and "until the roll by daily_realized_loss" in d.reason, d
