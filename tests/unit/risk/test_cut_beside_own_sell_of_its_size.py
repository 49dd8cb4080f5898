"""The trader's own sell of exactly a cut's size, made while riskd's reduce is at the broker, is
the trader's trade, counted and said (trial24c finding 1, 3 of 3 on the sim).

Shipped rules, Demo 1 (max_contracts limit 5, action reduce; trade_frequency_limit per_minute
3): MNQ long 5, then a buy of 2 (7): riskd reduces by 2, its partialCloseContract held at the
broker; the trader sells 2 (the 3rd trade of the minute); the broker then carries the cut out
as ONE market sell of 2 and answers. Both sells fit the cut's window and size; before this fix
enforcement's order search named both riskd's (closeorders.pick), so the trader's sell was
nobody's trade and no cooldown came. Enforcement's result is made here by its own code
(closeorders.pick over the broker's orders of these fills: services/enforcement/cutfits.py
takes one order per cut), and risk hears the fills' Trade, Position and Order events, each
stream in the broker's order, the three interleaved in any way (a hypothesis draw), the
result anywhere among them. Also the other creation order (the broker carried riskd's cut out
first, the trader sold 2 before its answer came): nothing at the broker tells the two apart,
the rule names the later one riskd's, and the count is right all the same (docs/rules.md
"Whose trade it is"). Fails on the code before the fix (checked: trades_today 2, no
cooldown: both sells were riskd's)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.enforcement import closeorders
from shared import afterclosewords
from shared.messages.enforce import CommandResult
from shared.projectx.models import Order
from tests.unit.risk.test_reversed_during_held_close import ACCOUNT, NS, SETTINGS, Broker
from tests.unit.risk.test_whole_close_beside_own_partial_sell import hear
from tests.unit.risk.desk import MNQ


def enforcement_result(cmd, fills, calls) -> CommandResult:
    """The reduce's result as enforcement makes it from the broker's orders of these fills."""
    orders = [Order(id=f[2].order_id, account_id=ACCOUNT, contract_id=MNQ,
                    created_ns=f[2].created_ns, updated_ns=f[2].updated_ns, status=2, type=2,
                    side=f[2].side, size=f[2].size) for f in fills]
    found, known = closeorders.pick(orders, calls, calls[-1].answered_ns)
    return CommandResult(command_id=cmd.id, account_id=ACCOUNT, status="done",
                         action=cmd.action, rule=cmd.rule, orders_known=known,
                         close_orders=found)


def the_reduce(b: Broker):
    """Long 5, then a buy of 2: max_contracts' reduce by 2 (2 trades this minute)."""
    for qty in (5, 2):
        for ev in b.fill(qty, None):
            b.feed(ev)
        b.now += NS // 10
    [cut] = [c for o in b.outs for c in o.commands]
    assert (cut.action, cut.rule, cut.size) == ("reduce_position", "max_contracts", 2)
    return cut


@SETTINGS
@given(data=st.data())
def test_the_traders_sell_of_the_cuts_size_during_the_cut_is_their_trade(data):
    b = Broker()
    cut = the_reduce(b)
    sent = b.now
    b.now += NS
    first = b.fill(-2, "0")
    b.now += 6 * NS                      # the hold (the sim's --hold, released in 6 s)
    second = b.fill(-2, "0")
    calls = [closeorders.CloseCall(MNQ, 2, sent, b.now + NS // 20)]
    res = enforcement_result(cut, [first, second], calls)
    # the broker made one order for the cut: one of the two sells is riskd's
    assert [o.order_id for o in res.close_orders] == [second[2].order_id], res
    events = hear(data, b, [first, second], res)
    # riskd's is the one made nearest the cut's answer: the trader's sell made while the cut
    # was held (the sim's order) is the trader's; the other order, the count is right as well
    assert b.whose(first) is False and b.whose(second) is True
    assert b.account.trades_today == 3                  # buy, buy, one sell of 2
    # the 3rd trade of the minute: trade_frequency_limit's cooldown, from that sell's time
    [lk] = b.frequency_lockouts()
    assert 60 * NS <= lk.until_ns - first[0].ts_ns < 61 * NS, lk
    # said once when risk had taken it for the cut before the result came ("Your sell of 2
    # MNQ ... came while riskd's cut ... was in flight"); a sell heard after the result is the
    # trader's at once, nothing to take back
    taken_first = events.index(first[0]) < events.index("result")
    said = [w for o in b.outs for w in o.warnings
            if w.rule in (afterclosewords.DURING, afterclosewords.OPENED_AFTER)]
    assert len(said) == int(taken_first), said
    for w in said:
        assert w.fill_ns == first[0].ts_ns and w.reason.startswith("Your sell of 2 MNQ") \
            and "while riskd's cut of MNQ (max_contracts) was in flight" in w.reason, \
            w.reason
