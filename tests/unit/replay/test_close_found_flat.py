"""A close of riskd's that found the position already flat is not made up by the replay
(fresh-user trial 21b, finding 2).

The trial's Demo 1 (Mon 06:04 CST): short 1 ES at 6000.00, a buy stop at 6010 and the
trader's target, a buy limit at 5992 (order 9000053); max_unrealized_profit (target 300) on.
ES at 5993.50 (+325): riskd decides to close ES at 06:04:06; the sim holds the close 5 s;
1.5 s later ES trades at 5991 and the trader's target fills at 5992 (+400). riskd's close then
finds ES flat: history "done ...: ES was already flat, 1 order cancelled" (the stop). The
replay of the day matched riskd's close, found no fill of riskd's to carry it out, closed ES
itself at the bar's price (5993.50: -75.00 off what happened) and counted the trader's real
fill as DROPPED (the replay's close had cancelled its order).

riskd's records say what its close did: enforcement's journal holds it done with no close
order of its own (orders_known, none listed: the broker's orders showed none made by it).
So the replay leaves it in flight, as it was live, until riskd's result came; the trader's
own fill closes the position, as it did.

The live side is risk's own engine on the shipped config, each step committed to risk's store
in the config's data folder, as in test_riskd_closes_recorded.py; enforcement's journal is
written with its own Journal, as enforcement leaves it. Config: etc/riskd.toml as shipped,
with max_unrealized_profit enabled (shipped off; the trial's account had it on, target 300
as shipped)."""
from __future__ import annotations

import pytest

from services.enforcement.journal import Journal
from shared.config.load import load_config
from shared.messages.enforce import Command, CommandResult
from shared.messages.market import (ORDER_LIMIT, ORDER_MARKET, ORDER_STOP, POSITION_SHORT,
                                    SIDE_BUY, SIDE_SELL, STATUS_CANCELLED, STATUS_FILLED,
                                    STATUS_OPEN, OrderUpdate, PositionUpdate, Quote)
from shared.messages.risk import CLOSE_POSITION, FLATTEN
from tests.support.replay_days import ES, D, Days, chi
from tests.unit.replay.test_riskd_closes_recorded import ACCOUNT, Live, run_replay

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 11, 25, 10, 3)
RULE = "max_unrealized_profit"


def enable_target(config: str, scope: str = "position") -> None:
    """max_unrealized_profit switched on (target 300, as shipped); scope "account" makes its
    action a flatten of the account (shipped: "position", a close of that position)."""
    text = open(config, encoding="utf-8").read()
    at = text.index(f"[profiles.default.rules.{RULE}]")
    rest = text[at:].replace("enabled = false", "enabled = true", 1)
    rest = rest.replace('scope = "position"', f'scope = "{scope}"', 1)
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text[:at] + rest)


def es_order(d: Days, order_id, side, created, updated, status, type_, price=None):
    o = OrderUpdate(account_id=ACCOUNT, order_id=order_id, contract_id=ES, created_ns=created,
                    updated_ns=updated, status=status, type=type_, side=side, size=1,
                    limit_price=D(price) if type_ == ORDER_LIMIT else None,
                    stop_price=D(price) if type_ == ORDER_STOP else None,
                    fill_volume=1 if status == STATUS_FILLED else 0)
    d.h.orders.append(o)
    return o


def short(size, ts) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=7 if size else 0, contract_id=ES,
                          ts_ns=ts, type=POSITION_SHORT if size else 0, size=size,
                          average_price=D(6000) if size else D(0))


def trial_day(config: str, journal_too: bool = True, stop: bool = True) -> Days:
    """The trial's minutes, live and in the broker's history; returns the history. Without
    the stop, riskd's close had nothing to do at all (no order to cancel): "nothing to do: ES
    was already flat"."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(ES, T0, [6000, (5993.5, 5993.5, 5991, 5991), 5991])
    live = Live(config)
    t = T0 + 30 * NS                                     # 10:03:30 sell 1 ES at 6000
    live.step(Quote(contract_id=ES, ts_ns=t, last=D(6000)), t)
    entry = d.trade(t, ES, "sell", 1, 6000, order_id=9000051)
    live.step(es_order(d, 9000051, SIDE_SELL, t, t, STATUS_FILLED, ORDER_MARKET), t)
    live.step(entry, t)
    live.step(short(1, t), t)
    stop_at, target_at = T0 + 35 * NS, T0 + 40 * NS
    stop = OrderUpdate(account_id=ACCOUNT, order_id=9000052, contract_id=ES, created_ns=stop_at,
                       updated_ns=stop_at, status=STATUS_OPEN, type=ORDER_STOP, side=SIDE_BUY,
                       size=1, stop_price=D(6010))
    if stop:
        live.step(stop, stop_at)
    target = OrderUpdate(account_id=ACCOUNT, order_id=9000053, contract_id=ES,
                         created_ns=target_at, updated_ns=target_at, status=STATUS_OPEN,
                         type=ORDER_LIMIT, side=SIDE_BUY, size=1, limit_price=D(5992))
    live.step(target, target_at)
    decided = T0 + 66 * NS                               # 10:04:06 ES at 5993.50: +325
    live.step(Quote(contract_id=ES, ts_ns=decided, last=D("5993.5")), decided)
    [close] = [c for c in live.commands if c.action in (CLOSE_POSITION, FLATTEN)]
    assert close.rule == RULE and close.contract_id in (ES, None)
    # 10:04:08.152: the trader's target fills while riskd's close is held at the broker
    filled = T0 + 68_152 * MS
    live.step(Quote(contract_id=ES, ts_ns=filled, last=D(5991)), filled)
    live.step(es_order(d, 9000053, SIDE_BUY, target_at, filled, STATUS_FILLED, ORDER_LIMIT,
                       5992), filled)
    fill = d.trade(filled, ES, "buy", 1, 5992, order_id=9000053)
    live.step(fill, filled)
    live.step(short(0, filled), filled)
    # 10:04:11: the close's call answers "no position"; it cancels the stop and is done
    done = T0 + 71_150 * MS
    if stop:
        es_order(d, 9000052, SIDE_BUY, stop_at, done - 5 * MS, STATUS_CANCELLED, ORDER_STOP,
                 6010)
        live.step(OrderUpdate(account_id=ACCOUNT, order_id=9000052, contract_id=ES,
                              created_ns=stop_at, updated_ns=done - 5 * MS,
                              status=STATUS_CANCELLED, type=ORDER_STOP, side=SIDE_BUY, size=1,
                              stop_price=D(6010)), done - 5 * MS)
    result = CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
        rule=close.rule, started_ns=decided, finished_ns=done,
        detail=("ES on account SIM-DEMO-1" if close.contract_id else "account SIM-DEMO-1")
        + " was already flat" + (", 1 order cancelled" if stop else ""),
        first_answer_ns=done - 10 * MS if stop else 0, orders_known=True)
    live._commit(live.engine.on_result(result, done))
    live.store.close()
    assert live.engine.account(ACCOUNT).trades[fill.trade_id].by_riskd is False
    if journal_too:
        journal = Journal(f"{load_config(config).data_dir}/enforcement.sqlite", decided)
        journal.receive(close, decided)
        journal.start(close.id, decided)
        # as the executor leaves it (executor._close_orders): the broker's orders showed no
        # order made by this close (the trader's limit is not a close of riskd's)
        journal.save_progress(close.id, {"close_orders": [], "orders_known": True})
        journal.finish(result)
        journal.close()
    return d


@pytest.mark.parametrize("scope,action", [("position", CLOSE_POSITION), ("account", FLATTEN)],
                         ids=["close", "flatten"])
@pytest.mark.parametrize("stop", [True, False], ids=["1-order-cancelled", "nothing-to-do"])
def test_a_close_that_found_the_position_flat_is_not_carried_out_by_the_replay(config,
                                                                             capsys, stop,
                                                                             scope, action):
    """Old code, with the stop: guarded -75.00 off actual, the trader's target DROPPED, the
    note "riskd's closes no fill of riskd's was left to carry out ..., which the replay
    carried out at a bar price"; without it (riskd's close had nothing to do, so it was not
    matched): the same -75.00 and DROPPED, the note listing it as "the replay's closes riskd
    did not make". A flatten (the rule's scope "account") goes the same way, contract by
    contract: before, only a close of one contract did, and the flatten closed ES at the bar's
    price (-75.00) and dropped the trader's target fill."""
    enable_target(config, scope)
    d = trial_day(config, stop=stop)
    doc = run_replay(config, d, capsys)
    [day] = doc["days"]
    assert day["difference"] == "0.00" and day["dropped"] == 0 and day["blocked"] == 0, day
    assert day["actual"] == day["guarded"], day
    [rule] = [r for r in doc["rules"] if r["rule"] == RULE]
    assert rule["contracts_closed"] == 0, rule
    # the replay decided that close as riskd did, and names riskd's own decision of it
    [decision] = [x for x in doc["decisions"] if x["rule"] == RULE]
    assert decision["action"] == action and decision["riskd"]["found_flat"], decision
    assert decision["riskd"]["found_flat_on"] == [ES], decision
    assert not [n for n in doc["notes"] if "guarded this day" in n], doc["notes"]


def test_only_a_close_with_no_close_order_of_its_own_found_the_position_flat():
    """What riskd's records must hold for found_flat: every try of a close (or reduce) of one
    contract ended, the last done, none with a close order of its own on that contract, the
    list complete (orders_known), no call of it unsettled."""
    from cli.replay.riskdrecords import LiveClose, RiskdRecords
    from shared.messages.enforce import CloseOrder, LostCall

    def result(cid, status="done", **kw):
        return CommandResult(command_id=cid, account_id=ACCOUNT, status=status,
                             action=CLOSE_POSITION, finished_ns=T0 + 5 * NS,
                             orders_known=kw.pop("orders_known", True), **kw)

    rec = RiskdRecords()
    rec.closes = [LiveClose(T0, RULE, CLOSE_POSITION, ES, f"d{i}", f"d{i}.1")
                  for i in range(1, 7)]
    rec.closes.append(LiveClose(T0, "daily_realized_loss", "flatten", None, "d7", "d7.1"))
    mine = CloseOrder(order_id=9000060, contract_id=ES, side=SIDE_BUY, size=1)
    rec.outcomes([
        result("d1.1", first_answer_ns=T0 + NS),                      # found ES flat
        result("d2.1", close_orders=[mine]),                          # its close closed ES
        result("d3.1", orders_known=False),                           # not known which
        result("d4.1", unsettled=[LostCall(contract_id=ES, size=1)]),  # may fill late
        result("d5.1", status="accepted"),                            # not finished
        result("d6.1", status="failed"), result("d6.2"),              # 2nd try found it flat
        result("d7.1")])                                              # a flatten
    assert {c.decision_id: c.found_flat for c in rec.closes} == {
        "d1": True, "d2": False, "d3": False, "d4": False, "d5": False, "d6": True,
        "d7": False}
    assert rec.closes[0].finished_ns == T0 + 5 * NS and not rec.closes[0].nothing
