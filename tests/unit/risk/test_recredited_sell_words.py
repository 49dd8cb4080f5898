"""A trade_frequency_limit cooldown started by the trader's sell that riskd had taken for its own
close, and found to be the trader's when the close's result came, says which trades made it and
that the sell was found to be the trader's own (trial24c 4: "3 trades this minute reached the
limit of 3" came 40 s after the trader's last trade, with no word of which trades).

MNQ bought 1 at 09:00:00 and 1 at 09:00:10; the price passes daily_unrealized_loss's limit at
09:00:20 and riskd closes MNQ; the trader sells 1 at 09:00:21 while the close is in flight (taken
by expectation for riskd's), riskd's sell of the other at 09:00:22; the close's result, naming
only riskd's order, comes at 09:01:01: the sell is the trader's, counted from its own time, the
3rd trade of the minute 09:00:00-09:00:21 (shipped per_minute 3, 60 s: until 09:01:21). Each
fill's Trade, Position and Order events come on their own streams, interleaved any way (a
hypothesis draw). Shipped rules (etc/riskd.toml); the fills' loss (5.00) stays under
cooldown_after_loss's tiers so that only this rule speaks. Fails on the code before this change
(checked in a detached worktree of main): the reason was "3 trades this minute reached the
limit of 3" alone."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.notify.steps import by_step, step_alert
from services.notify.templates import Context
from shared.messages.market import Quote
from tests.unit.risk.desk import CHI, MNQ
from tests.unit.risk.test_own_sell_beside_riskds_closes import interleaved
from tests.unit.risk.test_reversed_during_held_close import ACCOUNT, NS, SETTINGS, Broker

RULE = "trade_frequency_limit"


@SETTINGS
@given(data=st.data())
def test_the_cooldown_of_a_sell_found_to_be_the_traders_says_which_trades(data):
    b = Broker()
    b.engine.zone = CHI
    for ev in b.fill(1, None):
        b.feed(ev)
    b.now += 10 * NS
    for ev in b.fill(1, None):
        b.feed(ev)
    b.now += 10 * NS
    b.feed(Quote(contract_id=MNQ, ts_ns=b.now, last=Decimal(20940)))      # -240: close
    [cmd] = [c for o in b.outs for c in o.commands]
    assert (cmd.action, cmd.rule) == ("close_position", "daily_unrealized_loss")
    b.now += NS
    sell = b.fill(-1, "-5")
    b.now += NS
    riskds = b.fill(-1, "-5")
    for ev in interleaved(data, [sell, riskds], "events"):
        b.feed(ev)
    assert not [d for o in b.outs for d in o.decisions if d.rule == RULE]
    b.now += 39 * NS
    b.result(cmd, orders=[riskds])
    assert b.whose(sell) is False and b.whose(riskds) is True
    [d] = [d for o in b.outs for d in o.decisions if d.rule == RULE]
    assert d.reason == ("3 trades this minute reached the limit of 3 (your sell of 1 MNQ at "
                        "09:00:21, taken for riskd's own close until 09:01:01, is your own "
                        "trade: counted from its own time; the 3 trades this minute: "
                        "09:00:00, 09:00:10, 09:00:21)"), d.reason
    [step] = by_step([*b.outs[-1].decisions, *b.outs[-1].lockouts])
    text = step_alert(step, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"})).text
    assert "locked until Wed 09:01:21 CST" in text and d.reason in text, text
