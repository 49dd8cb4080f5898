"""A decision's log record names its account, so `riskctl logs --account A` finds it (trial
2026-12-05: risk's 'enforce close_position on account 1002' lines were missing from it)."""
from __future__ import annotations

import logging

from shared import topics
from tests.unit.risk.test_held_steps import LOCKED, _buy, _one_round, _snapshot
from tests.unit.risk.test_input_order import MNQ, joined, wait_ready, worker  # noqa: F401
from decimal import Decimal
from shared.messages.market import Quote


def test_a_decision_s_log_record_carries_its_account(worker, caplog):
    w, market, _enforcement = worker
    now = w.clock.now_ns()
    joined(market, w.market, Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000)))
    _snapshot(w, market, now)
    out, refusal = w.engine.self_lock(LOCKED, now, until_ns=None, session=True,
                                      reason="test: every buy is a breach")
    assert not refusal
    w.apply(out)
    caplog.set_level(logging.WARNING, logger="services.risk.app")
    market.publish(topics.FILL, _buy(LOCKED, 2, now + 1))
    wait_ready(w.market.sock, "the fill")
    _one_round(w)
    records = [r for r in caplog.records if "close_position on account" in r.getMessage()]
    assert records, [r.getMessage() for r in caplog.records]
    assert all(getattr(r, "account", None) == LOCKED for r in records)
