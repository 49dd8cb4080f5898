"""A replayed day riskd guarded agrees with what riskd did, or says why not (fresh-user trial
18c, section 7).

1. riskd's no_stop_loss_grace close held at the broker for 20 s took the trader's buy made
   meanwhile (one sell of 2); live, riskd's close was in flight, so no second grace close. The
   replay, which carried every close out at once at a bar price, then closed that buy again by
   no_stop_loss_grace 10 s after it: an extra close, and a difference on a day riskd guarded
   with the same config. Now a close riskd's records show riskd deciding too stays in flight
   until riskd's own fill carries it out.
2. What still parts from riskd's day is said in the notes: riskd's closes the replay did not
   make, the replay's own closes riskd did not make. A lockout a person lifted (the broker's
   history has no unlock; riskd's records have it) is lifted in the replay at that moment too
   (trial 18c: after the admin's unlock the trader's buys filled; the replay blocked them).
3. With no records (riskd not guarding), a close played at the trader's fill (set off by the
   price it printed at) cancelled that fill's own market order: the buy was counted
   BLOCKED for daily_unrealized_loss, a rule that sets no lockout.

Config: etc/riskd.toml as shipped; no_stop_loss_grace switched on for 1 and 2 (it is off as
shipped; the trial's account had it on), the same config live and replayed."""
from __future__ import annotations

import attrs
import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import read_records
from cli.replay.runner import Runner
from services.risk.outcome import Outcome
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_BUY, SIDE_SELL, STATUS_FILLED, Quote
from shared.messages.risk import CLOSE_POSITION, LockoutChange, LockoutState
from services.risk.lockouts import CLEARED
from tests.support.replay_days import MNQ, Days
from tests.unit.replay.test_riskd_closes_recorded import (ACCOUNT, T0, Live, bought, grace,
                                                          order, position, run_replay)

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000


def held_close_day(config_path: str):
    """buy 1 with no stop at 10:00:01; riskd's grace close at 10:00:11 is held at the broker;
    the trader buys 1 more at 10:00:15; riskd's close is carried out at 10:00:31 as one sell
    of 2 (its own order 9004, named in its result), taking the trader's buy too."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000] * 2)
    live = Live(config_path)

    def buy(at, oid, held):
        f = d.trade(at, MNQ, "buy", 1, 21000, order_id=oid)
        live.step(order(d, oid, SIDE_BUY, 1, at, at, STATUS_FILLED), at)
        live.step(f, at)
        live.step(position(held + 1, 21000, at), at)

    buy(T0 + NS, 9001, 0)
    now = T0 + NS
    while not any(c.action == CLOSE_POSITION for c in live.commands):
        now += 100 * MS
        assert now < T0 + 20 * NS, "no_stop_loss_grace never closed the uncovered contract"
        live.tick(now)
    [close] = [c for c in live.commands if c.action == CLOSE_POSITION]
    buy(T0 + 15 * NS, 9003, 1)
    for t in range(16, 31):                      # riskd's clock ticks while its close is held
        live.tick(T0 + t * NS)
    at = T0 + 31 * NS
    fill = d.trade(at, MNQ, "sell", 2, 21000, order_id=9004)
    order(d, 9004, SIDE_SELL, 2, at, at, STATUS_FILLED)
    live.step(fill, at)
    live.step(position(0, 0, at), at)
    live._commit(live.engine.on_result(CommandResult(
            command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
            rule=close.rule, finished_ns=at + 10 * MS, close_orders=[CloseOrder(
                order_id=9004, contract_id=MNQ, side=SIDE_SELL, size=2)],
            orders_known=True), at + 10 * MS))
    return d, live


def closes(decisions) -> list[int]:
    return [x["ts_ns"] for x in decisions if x["rule"] == "no_stop_loss_grace"
            and x["action"] == "close_position" and not x["suppressed"]]


def test_a_close_riskd_held_is_carried_out_by_riskds_own_fill(config, capsys):
    grace(config, True)
    d, live = held_close_day(config)
    live_closes = [x.ts_ns for x in live.decisions if x.rule == "no_stop_loss_grace"
                   and x.action == CLOSE_POSITION and not x.suppressed]
    assert len(live_closes) == 1                 # live: one close, the buy taken by it
    live.store.close()
    doc = run_replay(config, d, capsys)
    assert closes(doc["decisions"]) == live_closes, doc["decisions"]
    [day] = doc["days"]
    assert day["difference"] == "0.00" and day["blocked"] == 0 and day["dropped"] == 0, day
    [rule] = [r for r in doc["rules"] if r["rule"] == "no_stop_loss_grace"]
    assert rule["contracts_closed"] == 2, rule            # riskd's own sell of 2 carried it out
    assert not [n for n in doc["notes"] if "guarded this day" in n], doc["notes"]


def test_what_parts_from_riskds_day_is_said(config, capsys):
    """The same day replayed with no_stop_loss_grace off (as shipped), and riskd's records
    holding an admin's unlock of a cooldown the replay never had: riskd's close the replay
    did not make is said, and the unlock that lifted nothing."""
    grace(config, True)
    d, live = held_close_day(config)
    at = T0 + 40 * NS
    lock = LockoutState(id="L1", account_id=ACCOUNT, kind="timer", rule="cooldown_after_loss",
                        since_ns=T0, until_ns=T0 + 900 * NS, reason="test")
    live.store.commit(Outcome(lockouts=[LockoutChange(
        change=CLEARED, lockout=lock, ts_ns=at, by="admin:root", reason="test")]), live.engine)
    live.store.close()
    grace(config, False)
    doc = run_replay(config, d, capsys)
    [said] = [n for n in doc["notes"] if "guarded this day" in n]
    # riskd's own sell still closes the 2 in the replay: the day's figure is the same
    assert "2026-11-25: riskd guarded this day (its records hold every fill), guarded and " \
           "actual agree, but the decisions differ: " in said, said
    assert "riskd's closes the replay did not make: Wed 2026-11-25 10:00:11 CST no_stop_loss_grace " \
           "close_position MNQ" in said, said
    # the replay held no cooldown then: the unlock lifted nothing, and says so
    [unlock] = [n for n in doc["notes"] if "lifted" in n]
    assert "riskd's cooldown_after_loss lockout was lifted at Wed 2026-11-25 10:00:40 CST by " \
           "admin:root (riskd's records); the replay lifted nothing then" in unlock, unlock


def test_a_close_at_the_traders_fill_does_not_cancel_that_fill(config):
    """No riskd records: buy 2 MNQ at 10:00:24; the trader's market buy of 1 at 10:00:30
    prints at the minute's low, 20880 (-480 on the 2, past daily_unrealized_loss's 200):
    the replay closes the 2 there. The buy's order is not cancelled by that close (it fills at
    that very moment); the cooldown the close's loss starts, which sets a lockout, blocks it."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [(21000, 21000, 20880, 20890), 20890])
    for at, side, size, price, oid in ((24, "buy", 2, 21000, 9001), (30, "buy", 1, 20880, 9002),
                                       (50, "sell", 3, 20890, 9003)):
        t = T0 + at * NS
        d.trade(t, MNQ, side, size, price, order_id=oid)
        d.order(oid, MNQ, side, size, t, t, STATUS_FILLED)
    engine = build_engine(load(config), {})
    result = Runner(engine, d.history()).run()
    assert [(x.rule, x.action) for x in result.decisions][:1] == [
        ("daily_unrealized_loss", "close_position")]
    assert result.rules["daily_unrealized_loss"].blocked == 0, result.blocked_trades
    assert [(ts - T0, rule) for ts, _tid, rule in result.blocked_trades][:1] == [
        (30 * NS, "cooldown_after_loss")], result.blocked_trades


def locked_entry_day(config_path: str):
    """Three trades in a minute (trade_frequency_limit per_minute 3, shipped: a 60 s
    cooldown), then a buy while locked at 10:00:20: live, riskd let it fill (the broker has
    no way to refuse it) and its lockout enforcement closed it, its own sell at 10:00:22."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000] * 2)
    live = Live(config_path)
    held = 0
    for at, side, oid in ((1, "buy", 9001), (3, "sell", 9002), (5, "buy", 9003),
                          (7, "sell", 9004), (20, "buy", 9005)):
        t = T0 + at * NS
        f = d.trade(t, MNQ, side, 1, 21000, order_id=oid)
        live.step(order(d, oid, SIDE_BUY if side == "buy" else SIDE_SELL, 1, t, t,
                        STATUS_FILLED), t)
        live.step(f, t)
        held += 1 if side == "buy" else -1
        live.step(position(held, 21000, t), t)
    [close] = [c for c in live.commands if c.rule == "lockout"]
    assert close.action == CLOSE_POSITION
    at = T0 + 22 * NS
    fill = d.trade(at, MNQ, "sell", 1, 21000, order_id=9006)
    order(d, 9006, SIDE_SELL, 1, at, at, STATUS_FILLED)
    live.step(fill, at)
    live.step(position(0, 0, at), at)
    live._commit(live.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
        rule=close.rule, finished_ns=at + 10 * MS, close_orders=[CloseOrder(
            order_id=9006, contract_id=MNQ, side=SIDE_SELL, size=1)], orders_known=True),
        at + 10 * MS))
    live.store.close()
    return d


def test_an_entry_riskd_let_fill_under_a_lockout_and_closed_is_not_blocked(config, capsys):
    """Replayed, that entry is not BLOCKED (its round trip and fees taken out of the guarded
    day, which riskd's day never was): the lockout's close is riskd's own sell, as live."""
    d = locked_entry_day(config)
    doc = run_replay(config, d, capsys)
    [day] = doc["days"]
    assert day["blocked"] == 0 and day["difference"] == "0.00", day
    lockout = [(x["ts_ns"], x["action"]) for x in doc["decisions"] if x["rule"] == "lockout"]
    assert lockout == [(T0 + 20 * NS, CLOSE_POSITION)], doc["decisions"]
    assert not [n for n in doc["notes"] if "guarded this day" in n], doc["notes"]


def test_riskds_fill_redelivered_with_its_voided_flag_flipped_stays_riskds(config):
    """The broker sends riskd's own close again, voided, then not voided (a trade's voided flag
    can flip): risk kept the redelivered trade as it came, by_riskd lost, so it counted as
    the trader's trade and was stored so: the replay then took riskd's close for the
    trader's (replay18's leftover)."""
    grace(config, True)
    d, live = held_close_day(config)
    riskds = d.h.fills[-1]
    acct = live.engine.account(ACCOUNT)
    assert acct.trades[riskds.trade_id].by_riskd and acct.trades_today == 2
    for voided, at in ((True, 40), (False, 41)):
        live.step(attrs.evolve(riskds, voided=voided), T0 + at * NS)
        assert acct.trades[riskds.trade_id].by_riskd, voided
        assert acct.trades_today == 2, voided
    assert acct.trades_today == 2                # the trader's two buys, not riskd's sell
    live.store.close()
    [records] = read_records(config, {ACCOUNT: (T0, T0 + 60 * NS)}).values()
    assert records.riskd_fill(riskds) is True
    assert records.verdicts[riskds.trade_id] is True


def test_a_lockout_an_admin_lifted_is_lifted_in_the_replay_too(config, capsys):
    """Three trades in a minute lock the account for 60 s (trade_frequency_limit, shipped);
    the admin unlocks it at 10:00:12 (`riskctl unlock`, in risk's history); the trader's buy
    at 10:00:20 then fills and stays, live. The replay lifts the lockout at 10:00:12 too, so
    that buy is not BLOCKED and the day reads as riskd's."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000] * 2)
    live = Live(config)
    held = 0

    def trade(at, side, oid):
        nonlocal held
        t = T0 + at * NS
        f = d.trade(t, MNQ, side, 1, 21000, order_id=oid)
        live.step(order(d, oid, SIDE_BUY if side == "buy" else SIDE_SELL, 1, t, t,
                        STATUS_FILLED), t)
        live.step(f, t)
        held += 1 if side == "buy" else -1
        live.step(position(held, 21000, t), t)

    for at, side, oid in ((1, "buy", 9001), (3, "sell", 9002), (5, "buy", 9003),
                          (7, "sell", 9004)):
        trade(at, side, oid)
    assert live.engine.lockouts.all(ACCOUNT)
    out, refusal = live.engine.unlock(ACCOUNT, None, "admin:root", "test", T0 + 12 * NS)
    assert not refusal
    live._commit(out)
    trade(20, "buy", 9005)
    trade(40, "sell", 9006)
    assert not [c for c in live.commands if c.rule == "lockout"]
    live.store.close()
    doc = run_replay(config, d, capsys)
    [day] = doc["days"]
    assert day["blocked"] == 0 and day["difference"] == "0.00", day
    [said] = [n for n in doc["notes"] if "lifted" in n]
    assert "riskd's trade_frequency_limit lockout was lifted at Wed 2026-11-25 10:00:12 CST by " \
           "admin:root (riskd's records, an unlock of every lockout of the account): the replay " \
           "lifts its own then too (trade_frequency_limit set to end Wed 2026-11-25 10:01:07 " \
           "CST)" in said, said


def test_a_reduce_carried_out_by_riskds_fill_leaves_the_rest_judged(config, capsys):
    """tests/e2e/test_replay_e2e.py's day, with no bars (the sim kept none): buy 7 MNQ,
    max_contracts (5) reduces by 2, riskd's own sell of 2; the price falls 25 points: -250 on
    the 5 left, daily_unrealized_loss closes them. The replay's reduce, carried out by riskd's
    sell, must leave the engine holding 5 open (the sell handed in as riskd's skipped the
    engine's exits, whose 2 expected contracts then read as still to come: 3 valued, -150,
    no breach), so the close riskd made is made in the replay too."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    live = Live(config)
    t = T0 + NS
    bought(d, live, t, 7, 9001)
    [cut] = [c for c in live.commands if c.rule == "max_contracts"]
    t2 = t + 60 * MS
    f = d.trade(t2, MNQ, "sell", 2, 21000, order_id=9002)
    order(d, 9002, SIDE_SELL, 2, t2, t2, STATUS_FILLED)
    live.step(f, t2)
    live.step(position(5, 21000, t2), t2)
    live.result(cut, t2 + 5 * MS)
    t3 = t + 2 * NS
    live.step(Quote(contract_id=MNQ, ts_ns=t3, last=20975), t3)
    [close] = [c for c in live.commands if c.action == CLOSE_POSITION]
    t4 = t3 + 80 * MS
    f = d.trade(t4, MNQ, "sell", 5, 20975, order_id=9003)
    order(d, 9003, SIDE_SELL, 5, t4, t4, STATUS_FILLED)
    live.step(f, t4)
    live.step(position(0, 0, t4), t4)
    live.result(close, t4 + 5 * MS)
    live.store.close()
    doc = run_replay(config, d, capsys)
    replayed = sorted((x["rule"], x["action"]) for x in doc["decisions"] if not x["suppressed"])
    assert replayed == sorted((x.rule, x.action) for x in live.decisions if not x.suppressed)
    assert ("daily_unrealized_loss", CLOSE_POSITION) in replayed
    [day] = doc["days"]
    assert day["difference"] == "0.00", day
    assert not [n for n in doc["notes"] if "guarded this day" in n], doc["notes"]
