"""riskd's own fill that no close of the replay's was in flight for is counted and said
(trial24b F3).

Live, riskd's close of a losing MNQ filled, the trader bought 1 again at once, and the same
close command (resumed after enforcement's restart) sold that new long 1 too: a wrongful close,
fixed live by e10c777f. The replay matched its own daily_unrealized_loss close with riskd's,
carried it out by riskd's first fill and played the second as riskd's: DIFFERENCE 0.00, no
note, and its contract counted for no rule. The admin's kill switch, heard by risk from its
result after its fill, read `admin FIRED 1 CLOSED 0` though it closed MNQ 1 live
(test_persons_actions_played checks that count too).

Config: etc/riskd.toml as shipped, with cooldown_after_loss off: its lockout after the first
close's loss would make the trader's re-entry a locked entry, a case of its own (the trial's
admin unlocked at once)."""
from __future__ import annotations

import pytest

from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_SELL, STATUS_FILLED, Quote
from shared.messages.risk import CLOSE_POSITION
from tests.support.replay_days import MNQ, Days
from tests.unit.replay.test_persons_actions_played import replayed
from tests.unit.replay.test_riskd_closes_recorded import ACCOUNT, T0, Live, bought, order, position

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000


def no_cooldown(config: str) -> None:
    """cooldown_after_loss switched off in the config file (see the module's docstring)."""
    text = open(config, encoding="utf-8").read()
    at = text.index("[profiles.default.rules.cooldown_after_loss]")
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text[:at] + text[at:].replace("enabled = true", "enabled = false", 1))


def riskds_sell(d: Days, live: Live, at: int, oid: int) -> None:
    """riskd's own market sell of the long 1 MNQ held, at 20880, leaving the account flat."""
    f = d.trade(at, MNQ, "sell", 1, 20880, order_id=oid)
    live.step(order(d, oid, SIDE_SELL, 1, at, at, STATUS_FILLED), at)
    live.step(f, at)
    live.step(position(0, 0, at), at)


def test_a_close_of_riskds_the_replay_finds_no_breach_for_is_said(config):
    """Buy 1 at 21000 at 10:00:01; its price 20880 (-240.00, limit 200) at 10:00:02: riskd
    closes it (its sell of 1, order 9100, at 10:00:02.3); the trader buys 1 at 20880 at
    10:00:05 (open PnL 0.00); the same close sells it at 10:00:05.4 (order 9101)."""
    no_cooldown(config)
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [(21000, 21000, 20880, 20880)])
    live = Live(config)
    bought(d, live, T0 + NS, 1, 9001)
    live.step(Quote(contract_id=MNQ, ts_ns=T0 + 2 * NS, last=20880), T0 + 2 * NS)
    [close] = [c for c in live.commands if c.action == CLOSE_POSITION]
    riskds_sell(d, live, T0 + 2_300 * MS, 9100)
    bought(d, live, T0 + 5 * NS, 1, 9002, price=20880)
    riskds_sell(d, live, T0 + 5_400 * MS, 9101)
    live._commit(live.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=CLOSE_POSITION,
        rule=close.rule, finished_ns=T0 + 5_500 * MS, close_orders=[
            CloseOrder(order_id=9100, contract_id=MNQ, side=SIDE_SELL, size=1),
            CloseOrder(order_id=9101, contract_id=MNQ, side=SIDE_SELL, size=1)],
        orders_known=True), T0 + 5_500 * MS))
    live.store.close()
    r = replayed(config, d)
    [day] = r.days.values()
    assert day.guarded == day.actual and day.dropped == 0, day
    # both of riskd's fills are its close's contracts, as its records have them
    assert r.rules["daily_unrealized_loss"].contracts_closed == 2, r.rules
    # the second is said: the replay's engine found no breach then (guarded follows riskd's fill)
    [said] = [n for n in r.notes if "no rule breached" in n]
    assert said.startswith("riskd closed MNQ 1 at Wed 2026-11-25 10:00:05 CST (its "
                           "daily_unrealized_loss close_position decided at Wed 2026-11-25 "
                           "10:00:02 CST); the replay finds no rule breached then"), said
