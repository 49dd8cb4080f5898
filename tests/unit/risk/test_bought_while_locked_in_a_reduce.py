"""Contracts bought while locked that a rule's reduce in flight closes are said to be closed
(trial13a): holding 5 against max_contracts 5, three buys of 2 MNQ 15 ms apart; the first made
max_contracts reduce to 5 and started the trade_frequency cooldown (the 3rd trade of the
minute), the next two were bought under it. Lockout enforcement's cut of each stood behind the
reduce in flight (no second close, rightly) and was recorded nowhere: history and the phone
said "reduced MNQ ... 6 closed" for max_contracts and nothing told the trader that the 4
contracts bought while locked were closed.

Now each of those cuts is recorded as lockout enforcement's, left to the reduce in flight
(naming it), and history's line of that reduce says how many of the contracts it closed
beyond its count were bought while locked.

Shipped rules (etc/riskd.toml: max_contracts 5 reducing, trade_frequency_limit per_minute 3).
"""
from __future__ import annotations

from decimal import Decimal

from shared.actedby import command_id
from shared.historywords import decision_row
from shared.messages.enforce import CommandState
from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
from shared.messages.risk import LEFT_TO_ONE_IN_FLIGHT
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT
from tests.unit.risk.test_lockout_growth_behind_a_reduce import Run


def _decisions(r):
    return [d for o in r.outs for d in o.decisions]


def _burst():
    r = Run()
    r.price(21000)
    r.fill(4)                     # trade 1
    r.fill(1)                     # trade 2: 5 held, at the limit
    r.fill(2)                     # trade 3: 7 of 5, max_contracts reduces to 5; the cooldown
    [first] = r.reduces()
    assert (first.rule, first.target) == ("max_contracts", 5), first
    r.fill(2)                     # 9: bought while locked
    r.fill(2)                     # 11: bought while locked
    assert r.reduces() == [first], "a second close beside the reduce in flight"
    return r, first


def test_each_cut_of_contracts_bought_while_locked_is_recorded_as_left_to_the_reduce():
    r, first = _burst()
    cuts = [d for d in _decisions(r) if d.rule == "lockout"]
    assert len(cuts) == 2, [(d.rule, d.action, d.suppressed) for d in _decisions(r)]
    for d in cuts:
        assert d.suppressed.startswith(LEFT_TO_ONE_IN_FLIGHT), d.suppressed
        assert d.suppressed.endswith(f"which cuts MNQ down to 5 ({first.id})"), d.suppressed
        assert d.size == 2 and d.by == "lockout enforcement", d
        assert d.what.startswith("reduce MNQ by 2: left to riskd's cut in flight, which "
                                 "cuts MNQ down to 5, by decision "), d.what


def test_history_says_which_of_the_closed_contracts_were_bought_while_locked():
    r, first = _burst()
    r.fill(-6, order_id=1001)     # enforcement read 11: cut to 5, 6 closed (4 more than asked)
    detail = ("reduced MNQ on account 1001 to 5 contracts: closed 6, 4 more than asked "
              "(bought while the cut was on its way)")
    r.result(first, "done", detail=detail)
    decisions = _decisions(r)
    others = {key: d for d in decisions for key in (d.id, command_id(d)) if key}
    [rule_d] = [d for d in decisions if d.rule == "max_contracts" and not d.suppressed]
    state = CommandState(command_id=first.id, account_id=first.account_id,
                         action=first.action, state="final", status="done", detail=detail,
                         attempts=1, received_ns=rule_d.ts_ns, finished_ns=rule_d.ts_ns,
                         first_answer_ns=rule_d.ts_ns)
    outcomes = {first.id: state}
    row = decision_row(rule_d, outcomes, others=others)
    assert "closed 6, 4 more than asked" in row[3], row[3]
    assert row[3].endswith("; 4 of the 6 closed were bought while locked (lockout enforcement)"), \
        row[3]
    cut = [d for d in decisions if d.rule == "lockout"][0]
    row = decision_row(cut, outcomes, others=others)
    assert row[2] == "lockout enforcement", row
    assert "not acted on" not in row[6], row[6]
    assert row[6].startswith(f"{LEFT_TO_ONE_IN_FLIGHT}, which cuts MNQ down to 5 "
                             f"(max_contracts's reduce_position of "), row[6]
    assert row[6].endswith("; it then completed)"), row[6]
    assert row[3].endswith(", by max_contracts's reduce_position of " + row[3].split(" of ")[-1])
    assert "locked (timer) by trade_frequency_limit: the 2 contracts added" in row[5], row[5]


def test_a_rules_stricter_reduce_beside_the_lockouts_cut_is_sent_at_once():
    """The same burst with the events in another order (the trial's replayed against a slow
    close, tests/integration/test_bought_while_locked_in_a_reduce.py): the 3rd trade's fill
    starts the cooldown, the 4th's fill comes before any Position event, so the lockout cuts
    first, down to 7 (what was held before it grew). max_contracts's cut to 5, decided while
    that ran, stood behind it (the same action in flight) and was not sent; when the
    lockout's cut was done nothing judged the account again: 7 held against 5 until the next
    trade. Round 19 judged every position rule again when the lockout's cut was done; now a
    cut in flight covers only a cut that goes no further (services/risk/acting.py _reaches):
    max_contracts's cut to 5 is sent at once (enforcement runs it after the cut to 7), and
    nothing more is sent when the two are done."""
    r = Run()
    r.price(21000)
    r.fill(4)
    r.fill(1)                                   # 5 of 5, the 2nd trade
    for qty in (2, 2):                          # the 3rd (the cooldown) and 4th trades' fills
        r.trade += 1
        r.held += qty
        r.on(Fill(account_id=ACCOUNT, trade_id=r.trade, contract_id=MNQ, ts_ns=r.now,
                  price=Decimal(21000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                  size=qty))
    r.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ, ts_ns=r.now,
                        type=POSITION_LONG, size=r.held, average_price=Decimal(21000)))
    cut, rules_cut = r.reduces()
    assert (cut.rule, cut.target) == ("lockout", 7), cut
    assert (rules_cut.rule, rules_cut.target, rules_cut.size) == ("max_contracts", 5, 2), \
        rules_cut                               # 9 held, 2 of them already the lockout's
    r.fill(-2, order_id=1001)                   # enforcement cut to 7; its fill first
    r.result(cut, "done", detail="reduced MNQ on account 1001 from 9 to 7 contracts")
    r.wait(1)
    r.fill(-2, order_id=1002)                   # then the cut to 5
    r.result(rules_cut, "done", detail="reduced MNQ on account 1001 from 7 to 5 contracts")
    r.wait(1)
    assert [(c.rule, c.target) for c in r.reduces()] == [("lockout", 7), ("max_contracts", 5)]
