"""The daily summary names each account as every other alert does (shared/accountname.py):
its lines said "SIM-1" (the broker's name) where the breach and lockout alerts of the same
account said "Demo 1". The real RiskWorker of test_waiting_notice (its account configured as
"Demo 1"); the day's figures stand in for the store's, the summary is taken at its PUB."""
from __future__ import annotations

from decimal import Decimal

from shared.messages.notify import DailySummary
from tests.unit.risk.test_waiting_notice import ACCOUNT, worker  # noqa: F401 -- the fixture


def test_the_daily_summary_names_the_account_like_the_alerts(worker):  # noqa: F811
    w, _path, _backups, _sent = worker
    ended = w.engine.calendar.prev_trading_date(w.engine.day).isoformat()
    w.store.daily = lambda aid: [(ended, Decimal("120"), Decimal("4"), 3)] \
        if aid == ACCOUNT else []
    published = []
    w.pub.publish = lambda topic, msg: published.append(msg)
    w._daily_summary()
    [summary] = [m for m in published if isinstance(m, DailySummary)]
    assert [a.account for a in summary.accounts] == ["Demo 1"]
