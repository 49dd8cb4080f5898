"""no_stop_loss_grace's grace counts from the moment a position stopped being covered.

Fresh-user trial 17g, finding 1: a long 1 with its working stop (sell stop 1) for 57 s; the
trader bought 1 more, and riskd at once closed both contracts and cancelled the trader's stop,
no warning, saying "MNQ open 57s without a stop order": the grace was counted from the
position's opening, long past, and the reason was false (there was a stop all along).
RULES.md rule 8: a working stop covers the position; the grace (and its warning at warn_at)
belongs to every spell without cover: opened or flipped without a stop, grown past its stop,
the stop cancelled, partly filled and the position grown again.
Finding 5: the rule's row read "3/10 35%" (whole seconds beside an exact share) instead of its
documented words, and one warning read 80 % in the alert and 81 % in history.

The shipped rules (etc/riskd.toml) with no_stop_loss_grace enabled (it ships off; the scenario
is about it), the worker's 0.1 s tick on an injected clock. Each scenario's trades stay under
trade_frequency_limit's 3 a minute (a cooldown is not what is tested).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from cli.watch.model import _rule_lines
from services.notify.templates import Context, build
from services.risk.views import account_status, rule_values
from shared.messages.market import (ORDER_STOP, SIDE_BUY, SIDE_SELL, STATUS_CANCELLED,
                                    STATUS_OPEN, AccountUpdate, OrderUpdate)
from tests.unit.risk.desk import CHI, MNQ, NS, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT, START, Broker
from tests.unit.risk.test_no_stop_warns_before_close import RULE, grace_on, ticks

pytestmark = pytest.mark.timeout(60)


def desk(tmp_path) -> Broker:
    now = chi(2026, 11, 25, 9, 0)
    broker = Broker(shipped_engine(grace_on(tmp_path), now), now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(MNQ, "21000")
    return broker


def stop(broker: Broker, size: int, side=SIDE_SELL, status=STATUS_OPEN, filled=0,
         order_id=900) -> None:
    broker.feed(OrderUpdate(account_id=ACCOUNT, order_id=order_id, contract_id=MNQ,
                            created_ns=broker.now, updated_ns=broker.now, status=status,
                            type=ORDER_STOP, side=side, size=size, fill_volume=filled,
                            stop_price=Decimal("20900") if side == SIDE_SELL
                            else Decimal("21100")))


def warnings(broker, since=0):
    return [w for o in broker.outs[since:] for w in o.warnings if w.rule == RULE]


def closes(broker, since=0):
    return [d for o in broker.outs[since:] for d in o.decisions if d.rule == RULE]


def row(broker):
    [r] = [r for r in rule_values(broker.engine, ACCOUNT, broker.now) if r.rule == RULE]
    return r


def full_grace(broker, words, reason, warned_again=True):
    """From now (the moment cover was lost): nothing at once, the row counting down in
    `words`, one warning at exactly 8 s, the close at exactly 10 s with `reason`."""
    start, before = broker.now, len(broker.outs)
    assert not closes(broker), f"acted at once: {closes(broker)[0].reason}"
    ticks(broker, 7.9)
    assert not warnings(broker, before) and not closes(broker, before)
    assert row(broker).detail == words.format(left="3s"), row(broker)
    ticks(broker, 0.1)
    [w] = warnings(broker, before)
    assert w.ts_ns - start == 8 * NS, (w.ts_ns - start) / NS
    assert w.reason == f"{RULE} at 80% of its limit: " + words.format(left="2s"), w.reason
    ticks(broker, 1.9)
    assert not closes(broker, before)
    ticks(broker, 0.1)
    [d] = closes(broker, before)
    assert d.ts_ns - start == 10 * NS and d.action == "close_position", d
    assert d.reason == reason, d.reason
    assert (d.value, d.limit) == (Decimal(10), Decimal(10)), d


def test_one_contract_added_to_a_stopped_long_gets_the_whole_grace(tmp_path):
    broker = desk(tmp_path)
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    stop(broker, 1)
    ticks(broker, 57)                   # trial17g: 57 s with its stop
    assert not warnings(broker) and not closes(broker)
    broker.fill(MNQ, 1, "21000", None, 2, "21000")     # the stop covers 1 of 2 now
    full_grace(broker, "MNQ long 2: its stop covers 1 of 2: closed in {left} unless stops "
                       "cover all 2",
               "MNQ long 2: its stop covers 1 of 2 for 10s (grace 10s)")


def test_a_cancelled_stop_gives_the_whole_grace_and_a_warning(tmp_path):
    broker = desk(tmp_path)
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    stop(broker, 1)
    ticks(broker, 30)
    stop(broker, 1, status=STATUS_CANCELLED)
    full_grace(broker, "MNQ has no stop: closed in {left} unless a stop is placed",
               "MNQ long 1 without a stop order for 10s (grace 10s)")


def test_a_stop_placed_within_the_grace_then_cancelled_starts_a_new_grace(tmp_path):
    broker = desk(tmp_path)
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    ticks(broker, 5)
    stop(broker, 1)                     # in time: nothing warned, nothing closed
    ticks(broker, 20)
    assert not warnings(broker) and not closes(broker)
    assert row(broker).value is None, row(broker)
    stop(broker, 1, status=STATUS_CANCELLED)
    full_grace(broker, "MNQ has no stop: closed in {left} unless a stop is placed",
               "MNQ long 1 without a stop order for 10s (grace 10s)")


def test_a_partly_filled_stop_covers_what_is_left_of_it(tmp_path):
    broker = desk(tmp_path)
    broker.fill(MNQ, 3, "21000", None, 3, "21000")
    stop(broker, 3)
    ticks(broker, 61)
    broker.fill(MNQ, -1, "20900", "-20", 2, "21000")      # the stop fills 1 of its 3
    stop(broker, 3, filled=1)
    ticks(broker, 61)                   # long 2, 2 left of the stop: covered
    assert not warnings(broker) and not closes(broker)
    broker.fill(MNQ, 1, "20950", None, 3, "20983.33")    # 3 held, the stop closes 2 of them
    full_grace(broker, "MNQ long 3: its stop covers 2 of 3: closed in {left} unless stops "
                       "cover all 3",
               "MNQ long 3: its stop covers 2 of 3 for 10s (grace 10s)")


def test_a_flipped_position_starts_a_fresh_grace(tmp_path):
    broker = desk(tmp_path)
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    stop(broker, 1)
    ticks(broker, 30)
    broker.fill(MNQ, -2, "21000", "0", -1, "21000")      # short 1: the sell stop covers nothing
    full_grace(broker, "MNQ has no stop: closed in {left} unless a stop is placed",
               "MNQ short 1 without a stop order for 10s (grace 10s)")


def test_one_figure_and_its_words_on_the_row_the_alert_and_history(tmp_path):
    broker = desk(tmp_path)
    broker.now += NS // 20              # ticks land 0.05 s off the opening (trial: 8.1 s)
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    ticks(broker, 3.5)
    status = account_status(broker.engine, ACCOUNT, broker.now)
    [line] = [ln for ln in _rule_lines(status) if ln.rule == RULE]
    assert line.text == "MNQ has no stop: closed in 7s unless a stop is placed", line
    assert row(broker).progress == 0.3, row(broker)    # 3 whole seconds of 10
    ticks(broker, 4.6)
    [w] = warnings(broker)
    assert w.reason.startswith(f"{RULE} at 80% of its limit: "), w.reason      # history's
    alert = build(w, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert alert.title.startswith(f"🟡 {RULE} at 80% of its limit on Demo 1"), alert.title
    assert alert.lines == ("MNQ has no stop: closed in 2s unless a stop is placed",), alert


def test_a_stop_made_smaller_than_the_position_gives_the_whole_grace(tmp_path):
    broker = desk(tmp_path)
    broker.fill(MNQ, 2, "21000", None, 2, "21000")
    stop(broker, 2)
    ticks(broker, 40)
    stop(broker, 1)                     # the trader modifies the stop to 1 contract
    full_grace(broker, "MNQ long 2: its stop covers 1 of 2: closed in {left} unless stops "
                       "cover all 2",
               "MNQ long 2: its stop covers 1 of 2 for 10s (grace 10s)")
