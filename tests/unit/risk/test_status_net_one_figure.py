"""One screen, one net figure: `riskctl status`'s header (realized, unrealized, net) and
daily_net_loss's row read the same account in every order of a close's events.

Trial23b finding 6: Demo 1's close held at the sim, the sim killed and back; status ~0.5 s
after it showed "realized -228.73 ... unrealized +0.00 net -228.73" above "daily_net_loss
-433.73 / -600.00": the close's Position (flat) had come, its Trade not yet. The header summed
the open positions' PnL (none left), the rule the open PnL of contracts closed whose fills are
still to come too (pnl.net_open_pnl): the 205 lost on the close was in one and not the other.

The shipped rules (etc/riskd.toml, account 1001), an injected clock; NQ long 1 at 20000, the
price 19990 (-200 open: daily_unrealized_loss closes it), then the close's four events and
riskd's done, in every order, the screen read after each.
"""
from __future__ import annotations

import pytest

from services.risk.views import account_status
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT
from tests.unit.risk.test_no_warning_before_a_locking_close import ORDERS, play


def header_and_bar(engine, now):
    status = account_status(engine, ACCOUNT, now)
    [bar] = [r for r in status.rules if r.rule == "daily_net_loss"]
    return status.realized + status.unrealized, bar.value


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_header_net_is_daily_net_loss_value_after_every_event(order):
    seen = []

    def look(engine, broker):
        seen.append(header_and_bar(engine, broker.now))
    engine, broker, _outs = play(order, first_loss="-100", fall_to="19990", look=look)
    assert len(seen) == 6                   # the price's step, then each of the five
    assert all(net == bar for net, bar in seen), seen
