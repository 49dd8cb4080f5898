"""Tightening is instant (docs/rules.md): a rule change in force now judges what the account
holds at once, not at its next fill (services/risk/rejudge.py).

Fresh-user trial: holding 4 MNQ on Demo 1, `riskctl rules set 1001 max_contracts limit 2`
answered "applied live on Demo 1", the phone said "max_contracts limit 6 -> 2, in force now"
and the watch "max_contracts 4/2 200%", but no breach, alert or reduce came, not even after a
price move: only the next buy got "reduce MNQ by 3".

The real RiskWorker on loopback sockets in this process (tests/unit/risk/worker_rig.py), its
config etc/riskd.toml's rules, edited with the function `riskctl rules set` uses; the trader's
buy comes as market publishes it (its Trade, then its Position)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.enforce import DONE, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill, PositionUpdate,
                                    Quote)
from shared.messages.risk import FLATTEN, REDUCE_POSITION, RulesOverrideRequest
from tests.unit.risk.desk import CONTRACTS, MNQ, chi
from tests.unit.risk.worker_rig import reload, risk_worker

ACCOUNT = 1001


@pytest.fixture
def worker(tmp_path):
    """The worker's clock set to a Wednesday morning, the market open."""
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        yield rig


def published(w) -> list:
    """Everything the worker publishes from now on (topic, message)."""
    seen: list = []
    publish = w.pub.publish
    w.pub.publish = lambda topic, msg: (seen.append((topic, msg)), publish(topic, msg))
    return seen


def market(w, *events) -> None:
    for e in events:
        w._event(e)
    w._flush_held()


def buy(w, size: int, price="21000", pnl=None, trade_id=1) -> None:
    now = w.clock.now_ns()
    market(w, Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=now,
                   price=Decimal(price), pnl=None if pnl is None else Decimal(pnl),
                   fees=Decimal(0), side=SIDE_BUY, size=size),
           PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=now,
                          type=POSITION_LONG, size=size, average_price=Decimal(price)))


def decisions(seen, rule=None) -> list:
    return [m for t, m in seen if t == "decision" and (rule is None or m.rule == rule)]


def commands(seen) -> list:
    return [m for t, m in seen if t == "cmd" and hasattr(m, "action")]


def test_a_tighter_max_contracts_reduces_what_is_held_now_once(worker):
    w, path, backups, sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, 4)
    assert w.settings.for_account(w.engine.accounts[ACCOUNT]).max_contracts.limit > 4
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "2", backups)
    reload(w, path)
    made = decisions(seen, "max_contracts")
    assert [(d.action, d.size, d.suppressed) for d in made] == [(REDUCE_POSITION, 2, "")], made
    assert "4 contracts open (gross), limit 2: reduce MNQ by 2" in made[0].reason
    assert [(c.action, c.size) for c in commands(seen)] == [(REDUCE_POSITION, 2)]
    # the phone hears the change, then the breach (the decision's alert) as for any breach
    assert ["Demo 1 (id 1001): max_contracts limit 5 -> 2, in force now"] in [
        lines for kind, _sev, _title, lines in sent if kind == "rules_in_force_now"]
    # the same breach is not acted on twice: a reload that changes nothing, an edit of
    # another rule, a tick, a price move
    reload(w, path)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "warn_at", "0.9", backups)
    reload(w, path)
    w._tick()
    market(w, Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(), last=Decimal("21001")))
    assert len(decisions(seen, "max_contracts")) == 1
    assert len(commands(seen)) == 1


def test_a_tighter_daily_loss_below_the_day_flattens_and_locks_now(worker):
    """A rule on today's realized PnL is judged at once too: the day's total is what it
    reads, no trade needs to come."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    # a loss of 80.00: under the shipped cooldown_after_loss's first tier (100.00), whose
    # flatten would otherwise be in flight first (that rule stays on)
    market(w, Fill(account_id=ACCOUNT, trade_id=7, contract_id=MNQ, ts_ns=w.clock.now_ns(),
                   price=Decimal("21000"), pnl=Decimal("-80"), fees=Decimal(0),
                   side=SIDE_BUY, size=1))
    buy(w, 1, trade_id=8)
    assert w.settings.for_account(w.engine.accounts[ACCOUNT]).daily_realized_loss.limit > 80
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "daily_realized_loss", "limit", "50", backups)
    reload(w, path)
    made = decisions(seen, "daily_realized_loss")
    assert [(d.action, d.suppressed) for d in made] == [(FLATTEN, "")], made
    assert [m.lockout.rule for t, m in seen if t == "lockout"] == ["daily_realized_loss"]
    reload(w, path)
    assert len(decisions(seen, "daily_realized_loss")) == 1



def test_a_tighter_open_loss_limit_closes_the_position_past_it_now(worker):
    """Not even a price move judged it before: the price had moved already, and stays."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, 1)
    market(w, Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(), last=Decimal("20950")))  # -100.00
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "daily_unrealized_loss", "limit", "80", backups)
    reload(w, path)
    made = decisions(seen, "daily_unrealized_loss")
    assert [(d.action, d.contract_id) for d in made] == [("close_position", MNQ)], made
    assert "MNQ open PnL -100.00 reached the" in made[0].reason, made[0].reason


def test_a_symbol_limit_set_below_what_is_held_reduces_it_now(worker):
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, 3)
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "max_contracts_per_instrument", "limits", "{MNQ = 1}",
                   backups)
    reload(w, path)
    made = decisions(seen, "max_contracts_per_instrument")
    assert [(d.action, d.size) for d in made] == [(REDUCE_POSITION, 2)], made


def test_a_day_trade_count_set_to_todays_count_flattens_and_locks_now(worker):
    """trade_frequency_limit's per_day (off in the shipped profile) set to the trades made
    today: the day's count is judged at once, no trade needs to come. The trades are two
    minutes apart: the shipped per_minute limit of 3 stays on and is not reached."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    for n in (1, 2, 3):
        now = w.clock.now_ns()
        market(w, Fill(account_id=ACCOUNT, trade_id=n, contract_id=MNQ, ts_ns=now,
                       price=Decimal("21000"), pnl=None, fees=Decimal(0), side=SIDE_BUY,
                       size=1),
               PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=now,
                              type=POSITION_LONG, size=n, average_price=Decimal("21000")))
        w.clock.advance(120)
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "trade_frequency_limit", "per_day", "5", backups)
    reload(w, path)
    assert decisions(seen) == []                  # 3 of 5: no breach
    set_rule_param(path, str(ACCOUNT), "trade_frequency_limit", "per_day", "3", backups)
    reload(w, path)
    made = decisions(seen, "trade_frequency_limit")
    assert [(d.action, d.reason) for d in made] == [
        (FLATTEN, "3 trades this day reached the limit of 3")], made
    assert [m.lockout.rule for t, m in seen if t == "lockout"] == ["trade_frequency_limit"]
    reload(w, path)
    assert len(decisions(seen, "trade_frequency_limit")) == 1


def done(w, cmd) -> None:
    """Enforcement's final answer to a command: done (as risk's results socket hands it)."""
    w.apply(w.engine.on_result(CommandResult(command_id=cmd.id, account_id=ACCOUNT,
                                             status=DONE, action=cmd.action, rule=cmd.rule),
                               w.clock.now_ns()))


def test_a_second_tightening_before_the_reduces_fills_cuts_only_the_rest(worker):
    """limit 5 -> 3 on 4 MNQ reduces 1; enforcement's 'done' comes before the reduce's fill
    (its answer may come first). A second tightening, 3 -> 2, in between: the fill of the
    first reduce is on its way, so only 1 more is cut, not 2 (the account would have ended
    at 1 contract, under the limit the trader was given). Judging the same limit again in
    between (an edit of its warn_at) sends nothing."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, 4)
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "3", backups)
    reload(w, path)
    [first] = commands(seen)
    assert (first.action, first.size) == (REDUCE_POSITION, 1)
    done(w, first)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "warn_at", "0.9", backups)
    reload(w, path)
    assert commands(seen) == [first]            # the same limit: its cut is on its way
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "2", backups)
    reload(w, path)
    assert [(c.action, c.size) for c in commands(seen)] == [(REDUCE_POSITION, 1),
                                                            (REDUCE_POSITION, 1)]
    last = decisions(seen, "max_contracts")[-1]
    assert "reduce MNQ by 1" in last.what, last.what
    # the first reduce is done: its contract is no longer open, whatever its fill's timing
    assert last.reason == "3 contracts open (gross), limit 2: reduce MNQ by 1", last.reason
    # the first reduce's fill and Position come: riskd's, and nothing more is cut
    now = w.clock.now_ns()
    market(w, Fill(account_id=ACCOUNT, trade_id=2, contract_id=MNQ, ts_ns=now,
                   price=Decimal("21000"), pnl=Decimal("0"), fees=Decimal(0), side=SIDE_SELL,
                   size=1),
           PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=now,
                          type=POSITION_LONG, size=3, average_price=Decimal("21000")))
    assert len(commands(seen)) == 2


def test_an_admin_override_that_applies_a_lower_symbol_limit_reduces_now(worker):
    """The override path (`riskctl rules override`, services/risk/requests.py): a change that
    waits for the roll (MNQ limited to 1 where ES was: a symbol left the list, so it counts as
    looser) is applied now by the admin, and the lower MNQ limit judges the 3 MNQ held at
    once, as a tightening from the file does."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, 3)
    seen = published(w)
    rule = "max_contracts_per_instrument"
    set_rule_param(path, str(ACCOUNT), rule, "limits", "{ES = 1}", backups)
    reload(w, path)
    set_rule_param(path, str(ACCOUNT), rule, "limits", "{MNQ = 1}", backups)
    reload(w, path)
    assert w.settings.pending_for(ACCOUNT) == [rule]
    assert decisions(seen) == [] and commands(seen) == []      # it waits for the roll
    reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="checked with the trader", by="admin:ana", account=str(ACCOUNT)))
    assert reply.ok, reply.reason
    made = decisions(seen, rule)
    assert [(d.action, d.size, d.suppressed) for d in made] == [(REDUCE_POSITION, 2, "")], made
    assert [(c.action, c.contract_id, c.size) for c in commands(seen)] == [
        (REDUCE_POSITION, MNQ, 2)]
    # the same override again changes nothing: nothing is judged again
    reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="again", by="admin:ana", account=str(ACCOUNT)))
    assert len(commands(seen)) == 1


def test_a_profile_tightening_an_account_override_keeps_looser_judges_nothing(worker):
    """The account's own rules (accounts[].rules, as etc/riskd.toml ships for one account)
    win over its profile's: a lower profile limit leaves its limit as it was, and nothing is
    judged or reduced; its own limit lowered is judged at once."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "4", backups)
    reload(w, path)
    buy(w, 4)
    seen = published(w)
    set_rule_param(path, "profile:default", "max_contracts", "limit", "2", backups)
    reload(w, path)
    assert w.settings.for_account(w.engine.accounts[ACCOUNT]).max_contracts.limit == 4
    assert decisions(seen) == [] and commands(seen) == []
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "3", backups)
    reload(w, path)
    assert [(c.action, c.size) for c in commands(seen)] == [(REDUCE_POSITION, 1)]


def test_a_second_tightening_while_the_reduce_runs_cuts_the_rest_at_once(worker):
    """limit 5 -> 3 on 4 MNQ reduces 1; limit 3 -> 2 while that reduce is still running.
    Round 19: not sent beside it (it was taken as in flight), and judged again at its answer.
    Now a reduce in flight covers only a cut that goes no further (services/risk/acting.py
    _reaches): the cut to 2 is sent at once, by the 1 the first does not take (enforcement
    runs it after the first: one command of a contract at a time). Its fill and Position,
    and both answers, send nothing more."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, 4)
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "3", backups)
    reload(w, path)
    [first] = commands(seen)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "2", backups)
    reload(w, path)
    assert [(c.action, c.size, c.target) for c in commands(seen)] == [
        (REDUCE_POSITION, 1, 3), (REDUCE_POSITION, 1, 2)]
    second = commands(seen)[-1]
    now = w.clock.now_ns()
    market(w, Fill(account_id=ACCOUNT, trade_id=2, contract_id=MNQ, ts_ns=now,
                   price=Decimal("21000"), pnl=Decimal("0"), fees=Decimal(0), side=SIDE_SELL,
                   size=1),
           PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=now,
                          type=POSITION_LONG, size=3, average_price=Decimal("21000")))
    done(w, first)
    assert commands(seen)[-1] == second and len(commands(seen)) == 2
    done(w, second)                             # its answer before its fill: nothing more
    assert len(commands(seen)) == 2
