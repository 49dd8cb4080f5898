"""A position riskd's cut leaves open is held on every view risk judges from, whatever the
order of the trader's own sell, riskd's fill and the cut's result.

trial23c F4: Demo 2 long 4 over max_contracts' limit 2; riskd's cut of 2 in flight (the broker
4 s slow); the trader's own sell of 1 meanwhile; riskd's sell of 2: long 1. 0.7 s after the
cut's "✅ Done", risk's quiet-feed check (services/risk/app.py _check_quiet, from
AccountState.live_size) sent "🟢 MNQ: no position held in it now ... no price rule waits on its
price" while long 1 was held.

The shipped rules (etc/riskd.toml, account 1001: max_contracts limit 5), an injected clock:
long 5, a buy of 2 (the cut of 2), the trader's sell of 1, riskd's sell of 2 (long 4). Each
fill's Trade, Position and Order events on their own streams in the broker's order, the
streams interleaved any way, the cut's result anywhere after it was sent (hypothesis).
"""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.risk.test_own_sell_beside_riskds_closes import interleaved
from tests.unit.risk.test_reversed_during_held_close import NS, SETTINGS, Broker


def held(b: Broker) -> list[int]:
    """The sizes risk's quiet-feed check takes as held (services/risk/app.py _check_quiet)."""
    acct = b.account
    return [acct.live_size(p) for p in acct.positions.values() if acct.live_size(p) > 0]


@SETTINGS
@given(data=st.data())
def test_the_position_left_by_a_cut_beside_the_traders_sell_stays_held(data):
    b = Broker()
    for ev in b.fill(5, None) + b.fill(2, None):
        b.feed(ev)
    [cut] = [c for o in b.outs for c in o.commands]
    assert (cut.action, cut.rule, cut.size) == ("reduce_position", "max_contracts", 2)
    b.now += 2 * NS
    sell = b.fill(-1, "0")                      # the trader's own: long 6 at the broker
    b.now += 2 * NS
    riskds = b.fill(-2, "0")                    # riskd's cut: long 4 at the broker
    steps = interleaved(data, [sell, riskds], "fills")
    steps.insert(data.draw(st.integers(0, len(steps)), label="cut answered at"), "result")
    for ev in steps:
        if ev == "result":
            b.result(cut, orders=[riskds])
        else:
            b.feed(ev)
        assert held(b), (ev, steps)             # long 4 to 7 at the broker throughout
    b.now += NS
    b.engine.tick(b.now)
    assert held(b) == [4]
