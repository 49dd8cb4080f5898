"""A rule edit is asked about before it is applied (services/risk/preview.py): risk says what the
candidate config would do to each account right now, and does none of it.

Fresh-user trial: `riskctl rules set 1001 drawdown_guard line ...` with a typo (any tightening
that puts an account past a limit now) flattened and locked the account at once, with no
question. The real RiskWorker (tests/unit/risk/worker_rig.py, etc/riskd.toml's rules), the
candidate written as `riskctl rules set` writes it, as a dry run (nothing on disk changes)."""
from __future__ import annotations

import os
from decimal import Decimal

import pytest

from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.market import Quote
from shared.messages.risk import (FLATTEN, REDUCE_POSITION, UNTIL_RESET, RulesPreviewReply,
                                  RulesPreviewRequest)
from tests.unit.risk.desk import CONTRACTS, MNQ, chi
from tests.unit.risk.test_tightening_is_instant import buy, decisions, market, published
from tests.unit.risk.worker_rig import reload, risk_worker

ACCOUNT = 1001


@pytest.fixture
def worker(tmp_path):
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w = rig[0]
        market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                         last=Decimal("21000")))
        buy(w, 4)
        yield rig


def ask(w, path, backups, tmp_path, rule, param, value) -> list:
    """Risk's answer to the candidate of `rules set 1001 RULE PARAM VALUE`."""
    before = open(path).read()
    candidate = set_rule_param(path, str(ACCOUNT), rule, param, value, backups, dry_run=True)
    assert open(path).read() == before and not os.path.exists(backups)   # nothing written
    where = tmp_path / "candidate.toml"
    where.write_text(candidate.text)
    reply = w._dispatch(RulesPreviewRequest(path=str(where)))
    assert reply.ok, reply.reason
    assert isinstance(reply.body, RulesPreviewReply)
    return reply.body.decisions


def state(w) -> tuple:
    e = w.engine
    return (len(e.outbox), len(e.lockouts.all()), dict(e.inflight),
            w.settings.for_account(e.accounts[ACCOUNT]))


def test_a_line_past_the_equity_would_flatten_and_lock_and_nothing_happens(worker, tmp_path):
    w, path, backups, sent = worker
    seen = published(w)
    was = state(w)
    acts = ask(w, path, backups, tmp_path, "drawdown_guard", "line", "49950")
    assert [(d.rule, d.account_id, d.action, d.lock.kind) for d in acts] == [
        ("drawdown_guard", ACCOUNT, FLATTEN, UNTIL_RESET)], acts
    assert "equity" in acts[0].reason and "49,950.00" in acts[0].reason
    assert acts[0].lock.until_ns == w.engine.calendar.next_roll(w.clock.now_ns())
    assert state(w) == was and seen == [] and sent == []     # nothing acted, said or sent
    # applied, it acts as the preview said
    set_rule_param(path, str(ACCOUNT), "drawdown_guard", "line", "49950", backups)
    reload(w, path)
    assert [(d.action, d.suppressed) for d in decisions(seen, "drawdown_guard")] == [
        (FLATTEN, "")]


def test_a_lower_contract_limit_would_reduce(worker, tmp_path):
    w, path, backups, _sent = worker
    acts = ask(w, path, backups, tmp_path, "max_contracts", "limit", "2")
    assert [(d.rule, d.action, d.size) for d in acts] == [("max_contracts", REDUCE_POSITION, 2)]


def test_a_loosening_or_a_limit_not_reached_acts_on_nothing(worker, tmp_path):
    w, path, backups, _sent = worker
    assert ask(w, path, backups, tmp_path, "max_contracts", "limit", "8") == []   # looser
    assert ask(w, path, backups, tmp_path, "max_contracts", "limit", "4") == []   # at, not over
    assert ask(w, path, backups, tmp_path, "drawdown_guard", "line", "48000") == []


def test_only_the_accounts_an_edit_concerns_are_judged_and_copied(tmp_path):
    """An edit of one account's rule asks about that account only (the twin copies only the
    accounts whose rules change: cheap at 500 accounts); a profile edit, about each of its."""
    from services.risk.preview import concerned, preview
    from shared.config.load import load_config
    two = [{"id": 1001, "name": "SIM-1"}, {"id": 1002, "name": "SIM-2"}]
    with risk_worker(tmp_path, two, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, _sent = rig
        market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                         last=Decimal("21000")))
        buy(w, 4)                                   # 1001 holds 4 MNQ; 1002 holds nothing

        def candidate(target):
            text = set_rule_param(path, target, "max_contracts", "limit", "2", backups,
                                  dry_run=True).text
            where = tmp_path / "c.toml"
            where.write_text(text)
            return load_config(path, text_from=str(where)).config
        one = candidate("1001")
        assert concerned(w.engine, one) == {1001}
        assert [d.account_id for d in preview(w.engine, one, w.clock.now_ns())] == [1001]
        everyone = candidate("profile:default")
        assert concerned(w.engine, everyone) == {1001, 1002}
        assert [d.account_id for d in preview(w.engine, everyone, w.clock.now_ns())] == [1001]
        assert concerned(w.engine, w.config) == set()      # the config in force: nothing


@pytest.mark.parametrize("last, acts", [("20999.50", True),     # open -1.00: at the limit
                                        ("20999.75", False)])   # open -0.50: inside it
def test_at_exactly_the_limit_the_preview_judges_as_the_rule_does(tmp_path, last, acts):
    """trial14b: `rules set 1002 daily_unrealized_loss limit 1` holding MNQ answered "nothing
    held breaks it now: no action" and the rule closed it 0.6 s later at "-1.00 vs -1.00".
    The preview is the rule's own judgement on a copy of the engine: at exactly the limit it
    says close, as the rule then does, and one tick inside it neither acts (the trial's 0.6 s
    was a price move: the sim's MNQ was at +0.50 open when the edit applied)."""
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, _sent = rig
        market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                         last=Decimal("21000")))
        buy(w, 1)
        market(w, Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(), last=Decimal(last)))
        said = ask(w, path, backups, tmp_path, "daily_unrealized_loss", "limit", "1")
        seen = published(w)
        set_rule_param(path, str(ACCOUNT), "daily_unrealized_loss", "limit", "1", backups)
        reload(w, path)
        done = decisions(seen, "daily_unrealized_loss")
        assert [(d.action, d.value, d.limit) for d in said] == \
            [(d.action, d.value, d.limit) for d in done], (said, done)
        assert bool(said) is acts, said
        if acts:
            assert said[0].reason == "MNQ open PnL -1.00 reached the unrealized loss limit -1.00"


def test_blocking_a_symbol_nothing_held_is_in_asks_nothing_one_held_asks_once(worker, tmp_path):
    """Trial17a section 7: `rules set 1002 symbol_blocks symbols '["CL"]'` with no CL held (no
    position, no order) asked "riskd would lock CL on the account" and needed --yes; docs: "a
    tightening nothing held breaks, applies with no question". The symbol's lockout is what
    listing it means. One held (4 MNQ here) asks, with one line for it (its close), not a
    second for the lockout alone (section 8's pair)."""
    w, path, backups, _sent = worker
    assert ask(w, path, backups, tmp_path, "symbol_blocks", "symbols", '["CL"]') == []
    held = ask(w, path, backups, tmp_path, "symbol_blocks", "symbols", '["MNQ"]')
    assert [d.action for d in held] == ["close_position"], held
