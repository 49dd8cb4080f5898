"""A day riskd guarded, replayed: riskd's own closes, as its records have them, are riskd's in
the replay too, never the trader's trades (fresh-user trial 18a, section 5: the replay's first
breach was trade_frequency_limit at riskd's no_stop_loss_grace close, counted as the trader's
3rd trade of the minute; live, that cooldown started at the trader's real 3rd trade).

The live side is risk's own engine on the shipped config, each step committed to risk's store
in the config's data folder as the risk worker does; the replay then reads the broker's trades
and orders of that day (an in-test broker answering from the same fills) and risk's records.
The config is etc/riskd.toml with no_stop_loss_grace switched on while riskd guards the day
(the trial's account had it on: its close comes between the trader's trades of one minute),
and back off, as shipped, when the day is replayed (as in the trial: the config replayed does
not take that close again, so the replay meets riskd's fill as a fill it did not make)."""
from __future__ import annotations

import json
import os
import sqlite3

import attrs
import pytest

from cli.commands import replay as command
from cli.context import Context
from cli.main import build_parser
from services.risk.store import Store
from shared.clock import FakeClock
from shared.config.load import load_config
from shared.messages.enforce import CommandResult
from shared.messages.market import (ORDER_MARKET, ORDER_STOP, POSITION_LONG, SIDE_BUY,
                                    SIDE_SELL, STATUS_CANCELLED, STATUS_FILLED, STATUS_OPEN,
                                    AccountUpdate, OrderUpdate, PositionUpdate, Quote)
from shared.messages.risk import CLOSE_POSITION
from tests.support.replay_days import MNQ, BrokerOfDays, Days, chi
from tests.unit.risk.desk import shipped_engine

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 11, 25, 10, 0)          # a Wednesday; the minute the trial's trades fall in
ACCOUNT = 1001


def grace(config: str, on: bool) -> None:
    """no_stop_loss_grace switched on or off in the config file (grace_seconds 10, shipped)."""
    text = open(config, encoding="utf-8").read()
    at = text.index("[profiles.default.rules.no_stop_loss_grace]")
    was, now = ("enabled = false", "enabled = true") if on else ("enabled = true",
                                                                  "enabled = false")
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text[:at] + text[at:].replace(was, now, 1))


@pytest.fixture
def grace_config(config):
    """The shipped config, no_stop_loss_grace on while the day is guarded (guarded_day)."""
    grace(config, True)
    return config


class Live:
    """Risk's engine guarding account 1001, every step committed to its store."""

    def __init__(self, config_path: str):
        loaded = load_config(config_path)
        self.engine = shipped_engine(loaded, T0)
        self.store, _ = Store.open(loaded.data_dir)
        self.decisions = []
        self.commands = []
        self.step(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=50_000,
                                can_trade=True), T0)
        self.step(Quote(contract_id=MNQ, ts_ns=T0, last=21000), T0)

    def _commit(self, out):
        self.store.commit(out, self.engine)
        self.decisions += out.decisions
        self.commands += out.commands
        return out

    def step(self, event, now):
        return self._commit(self.engine.on_event(event, now))

    def tick(self, now):
        return self._commit(self.engine.tick(now))

    def result(self, cmd, now):
        return self._commit(self.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
            rule=cmd.rule, finished_ns=now), now))


def order(d: Days, order_id, side, size, created, updated, status, type_=ORDER_MARKET,
          stop=None) -> OrderUpdate:
    o = OrderUpdate(account_id=ACCOUNT, order_id=order_id, contract_id=MNQ, created_ns=created,
                    updated_ns=updated, status=status, type=type_, side=side, size=size,
                    stop_price=stop, fill_volume=size if status == STATUS_FILLED else 0)
    d.h.orders.append(o)
    return o


def position(size, price, ts, pid=1) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=pid if size else 0, contract_id=MNQ,
                          ts_ns=ts, type=POSITION_LONG if size else 0, size=size,
                          average_price=price)


def bought(d: Days, live: "Live", at: int, size: int, order_id: int, held: int = 0,
           price=21000) -> None:
    """The trader's market buy of `size` MNQ filled at `at` (its order, fill and the position
    after it, held + size), in the history and to the live side."""
    f = d.trade(at, MNQ, "buy", size, price, order_id=order_id)
    live.step(order(d, order_id, SIDE_BUY, size, at, at, STATUS_FILLED), at)
    live.step(f, at)
    live.step(position(held + size, price, at), at)


def guarded_day(config_path: str) -> tuple[Days, Live, int]:
    """The trial's minute: buy 1 (a stop for 1 follows), buy 1 more (the stop covers 1 of 2),
    riskd's no_stop_loss_grace close of both 10 s later (a market sell of 2, its own order),
    then the trader's 3rd trade of the minute. Returns the history, the live side and the time
    of riskd's fill."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000] * 3)
    live = Live(config_path)

    def buy(at, oid, size, held):
        t = T0 + at
        f = d.trade(t, MNQ, "buy", 1, 21000, order_id=oid)
        o = order(d, oid, SIDE_BUY, 1, t, t, STATUS_FILLED)
        live.step(o, t)
        live.step(f, t)
        live.step(position(held + size, 21000, t), t)

    buy(13_640 * MS, 9001, 1, 0)
    stop_at = T0 + 16_010 * MS
    stop = order(d, 9002, SIDE_SELL, 1, stop_at, stop_at, STATUS_OPEN, ORDER_STOP, 20900)
    live.step(stop, stop_at)
    buy(30_640 * MS, 9003, 1, 1)
    now = T0 + 30_640 * MS
    while not any(c.action == CLOSE_POSITION for c in live.commands):
        now += 100 * MS
        assert now < T0 + 50 * NS, "no_stop_loss_grace never closed the uncovered contract"
        live.tick(now)
    [close] = [c for c in live.commands if c.action == CLOSE_POSITION]
    assert close.rule == "no_stop_loss_grace"
    riskd_at = now + 40 * MS                     # the broker carries the close out
    fill = d.trade(riskd_at, MNQ, "sell", 2, 21000, order_id=9004)
    order(d, 9004, SIDE_SELL, 2, riskd_at, riskd_at, STATUS_FILLED)
    live.step(fill, riskd_at)
    live.step(position(0, 0, riskd_at), riskd_at)
    # closing the position cancels the stop; the close's result comes after its fill
    d.h.orders.remove(stop)                      # Order/search lists its last state
    gone = attrs.evolve(stop, status=STATUS_CANCELLED, updated_ns=riskd_at + 5 * MS)
    d.h.orders.append(gone)
    live.step(gone, riskd_at + 5 * MS)
    live.result(close, riskd_at + 10 * MS)
    buy(55_850 * MS, 9005, 1, 0)                 # the trader's 3rd trade of the minute
    t = T0 + 56_190 * MS
    live.step(order(d, 9006, SIDE_SELL, 1, t, t, STATUS_OPEN, ORDER_STOP, 20900), t)
    live.store.close()
    grace(config_path, False)                    # the config replayed: as shipped
    return d, live, riskd_at


def run_replay(config_path: str, d: Days, capsys) -> dict:
    """riskctl replay --json of the day, two days later."""
    args = build_parser().parse_args(["replay", "--from", "2026-11-25", "--to", "2026-11-25",
                                      "--json"])
    clock = FakeClock(chi(2026, 11, 27, 12, 0))
    broker = BrokerOfDays(d.history(), orders=True)
    ctx = Context(config_path, json_output=True)
    assert command.run(args, ctx, client=broker, clock=clock, sleep=clock.advance) == 0
    return json.loads(capsys.readouterr().out)


def frequency(decisions) -> list[int]:
    return [d["ts_ns"] if isinstance(d, dict) else d.ts_ns for d in decisions
            if (d["rule"] if isinstance(d, dict) else d.rule) == "trade_frequency_limit"]


def test_riskd_close_of_a_guarded_day_is_not_the_traders_trade(grace_config, capsys):
    d, live, riskd_at = guarded_day(grace_config)
    third = T0 + 55_850 * MS
    # live risk counted riskd's close as riskd's: its cooldown started at the trader's 3rd
    assert frequency(live.decisions) == [third]
    doc = run_replay(grace_config, d, capsys)
    fired = frequency(doc["decisions"])
    assert riskd_at not in fired, "the replay counted riskd's own close as the trader's trade"
    assert fired == [third]
    [day] = doc["days"]
    assert day["first_breach"]["ts_ns"] == third
    # risk's records hold every fill of the day: nothing is said to be unknown
    assert not [n for n in doc["notes"] if "riskd's records" in n]


def test_a_day_riskd_has_no_records_of_is_said(grace_config, capsys):
    """The same day with risk's records gone (a replay on another machine, or past the days
    risk keeps): the replay cannot tell riskd's close from the trader's trade, and says so."""
    d, _live, _riskd_at = guarded_day(grace_config)
    data_dir = load_config(grace_config).data_dir
    for name in os.listdir(data_dir):
        if name.startswith("risk"):
            os.remove(os.path.join(data_dir, name))
    doc = run_replay(grace_config, d, capsys)
    said = [n for n in doc["notes"] if "riskd's records" in n]
    assert said and "2026-11-25" in said[0] and "count as your trades" in said[0], doc["notes"]


def test_a_day_riskd_guarded_from_part_way_says_which_part(grace_config, capsys):
    """riskd's records reach the day from 10:00:20 only (its first fill's row is gone, as when
    riskd began guarding the account then): that fill is said to be unknown, with its time,
    and riskd's close, which the records hold, is still riskd's."""
    d, _live, riskd_at = guarded_day(grace_config)
    path = os.path.join(load_config(grace_config).data_dir, "risk.sqlite")
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM trades WHERE ts_ns < ?", (T0 + 20 * NS,))
    db.close()
    doc = run_replay(grace_config, d, capsys)
    assert frequency(doc["decisions"]) == [T0 + 55_850 * MS]
    [said] = [n for n in doc["notes"] if "riskd's records" in n]
    assert "2026-11-25: 1 of 4 fills, from Wed 2026-11-25 10:00:13 CST to Wed 2026-11-25 " \
           "10:00:13 CST, are not in riskd's records" in said, said
