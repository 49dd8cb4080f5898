"""Each losing fill past a cooldown_after_loss tier has its line, also two of the same loss in
one second, and a breach that changes nothing reads as no action on every screen (trial23a
findings 3, 4 and 6).

The trial's flatten of three losing positions closed ES -151.40, CL -151.40 and MNQ -160.87 in
one second: history and the alerts had two cooldown_after_loss lines, the two of -151.40 folded
into one (the same words were read as the same breach judged again). The ones said read "flatten
not sent" with no reason on LAST ACTIONS, "nothing sent: this breach's lockout would end in the
same second as its own lockout in force" on the phone, and "lock the account (timer)" as
history's WHAT; a trade_frequency_limit breach of the same kind repeated the row before it,
"lock ... locked until 11:06:30". Shipped rules (etc/riskd.toml, account 1001: cooldown_after_loss
tiers from 100, flatten on; 3 trades a minute, so the two positions open minutes apart).
"""
from __future__ import annotations

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.notify.templates import Context, build
from services.risk.views import account_status
from shared.historywords import rows
from shared.messages.risk import HistoryReply
from tests.unit.cli.screens import CALENDAR, state
from tests.unit.risk.desk import CHI, ES, NQ, NS, SIDE_SELL, Desk, shipped_desk
from tests.unit.risk.engine_run import ACCOUNT, LOADED

RULE = "cooldown_after_loss"


def two_same_losses() -> Desk:
    """Long 1 ES and long 1 NQ; both closed 1 ms apart, each losing 150.00 + 1.40 fees."""
    desk = shipped_desk(LOADED)
    desk.filled(1, ES, 6000)
    desk.wait(70)
    desk.filled(1, NQ, 21000)
    desk.wait(70.3)                             # x.3 s: both closes end in the same second
    desk.trade("-150", fees="1.40", contract=ES, side=SIDE_SELL, price="5997")
    desk.flat(ES)
    desk.now += NS // 1000
    desk.trade("-150", fees="1.40", contract=NQ, side=SIDE_SELL, price="20992.5")
    desk.flat(NQ)
    desk.wait(0.1)
    return desk


def test_two_losing_fills_of_the_same_loss_in_one_second_each_have_their_line():
    desk = two_same_losses()
    said = desk.decisions(RULE, acted=False)
    assert [str(d.value) for d in said] == ["-151.40", "-151.40"], said     # one before
    first, second = said
    assert not first.suppressed and second.suppressed
    # the phone: no new action, and why, not "nothing sent" (to whom?) nor "in force"
    text = build(second, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"})).text
    assert "no new action: the lockout this breach would start ends in the same second as " \
           "the one already running" in text, text
    assert "nothing sent" not in text and "in force" not in text, text
    # history: its WHAT is no action (docs/rules.md: a no-op never worded as an action)
    [_, row] = rows(HistoryReply(decisions=said), {}, CHI)
    assert row[3].startswith("nothing done: its lockout until "), row
    assert "lock the account" not in row[3] and "not sent" not in row[3], row
    # LAST ACTIONS: "not sent: locked already", never a bare "not sent"
    s = state(account_status(desk.engine, ACCOUNT, desk.now))
    for d in said:
        s.apply(d)
    text = plain(render(build_screen(s, desk.now, CHI, CALENDAR), 160, None, unicode=False))
    lines = [line for line in text.splitlines() if f"CST {RULE} flatten" in line]
    assert len(lines) == 2, text
    assert sum("not sent: locked already" in line for line in lines) == 1, lines
    assert not any(" not sent " in f"{line} " and "locked already" not in line
                   for line in lines), lines


def test_a_trade_in_the_same_second_under_its_cooldown_is_not_a_second_locked_until_row():
    """trial23a finding 6: the 4th trade of a minute, in the second of the 3rd, repeated the
    3rd's row "trade_frequency_limit lock locked until 11:06:30"."""
    desk = shipped_desk(LOADED)
    for size in range(1, 4):                    # the 3rd trade starts the cooldown
        desk.filled(size, ES, 6000)
        desk.now += NS // 10
    desk.trade(size=1, contract=ES, price="6000")           # the 4th, in the same second
    desk.wait(0.1)
    said = desk.decisions("trade_frequency_limit", acted=False)
    assert [int(d.value) for d in said] == [3, 4]
    s = state(account_status(desk.engine, ACCOUNT, desk.now))
    for d in said:
        s.apply(d)
    text = plain(render(build_screen(s, desk.now, CHI, CALENDAR), 160, None, unicode=False))
    lines = [line for line in text.splitlines() if "CST trade_frequency_limit lock" in line]
    assert len(lines) == 2, text
    assert sum("locked until" in line for line in lines) == 1, lines
    assert sum("locked already" in line for line in lines) == 1, lines
