"""A decision's log record names its account, so `riskctl logs --account A` finds it (trial
2026-12-05: risk's 'enforce close_position on account 1002' lines were missing from it)."""
from __future__ import annotations

import logging

from shared import topics
from tests.unit.risk.test_held_steps import LOCKED, _buy, _one_round, locked_desk
from tests.unit.risk.test_input_order import wait_ready, worker  # noqa: F401


def test_a_decision_s_log_record_carries_its_account(worker, caplog):
    w, market, _enforcement = worker
    now = locked_desk(w, market)
    caplog.set_level(logging.WARNING, logger="services.risk.app")
    market.publish(topics.FILL, _buy(LOCKED, 2, now + 1))
    wait_ready(w.market.sock, "the fill")
    _one_round(w)
    records = [r for r in caplog.records if "close_position on account" in r.getMessage()]
    assert records, [r.getMessage() for r in caplog.records]
    assert all(getattr(r, "account", None) == LOCKED for r in records)
