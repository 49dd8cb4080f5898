"""A self-lockout that changes no lockout says what it asked and that it was unchanged, in
history and in its one alert, in the same words (trial16g finding 5).

`riskctl lockout 1001 --session`, then `--until 30m`: the answer said "already locked ... The
lockout is unchanged", but `riskctl history` kept only "trader (self-lockout) / nothing to do:
account ... was already flat / reason: self-lockout by root": neither the 30 minutes asked nor
that the lockout stayed as it was. Now its NOTE reads "asked until Wed 10:30 CST; unchanged:
already locked until Wed 17:00 CST (self-lockout)", and its alert (the only one the phone gets
for it: enforcement's "Nothing to do" is logged only, docs/alerts.md) says the same line.
Shipped rules (etc/riskd.toml, account 1001), through the engine the risk worker runs.
"""
from __future__ import annotations

import pytest

from services.notify.templates import LOG_ONLY, Context, decision_alert, result_alert
from shared.historywords import rows
from shared.lockwords import SELF_LOCKOUT
from shared.messages.enforce import CommandResult
from shared.messages.market import AccountUpdate
from shared.messages.risk import HistoryReply
from tests.unit.risk.desk import CHI, NS, D, shipped_engine
from tests.unit.risk.engine_run import ACCOUNT, LOADED, WEDNESDAY
from tests.support.readat import reading_at

pytestmark = pytest.mark.timeout(30)
UNCHANGED = ("asked until Wed 10:30 CST; unchanged: already locked until Wed 17:00 CST "
             "(self-lockout)")


def engine():
    e = shipped_engine(LOADED, WEDNESDAY)
    e.on_event(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(50_000),
                             can_trade=True), WEDNESDAY)
    return e


def request(e, now, **asked):
    out, refusal = e.self_lock(ACCOUNT, now, **asked)
    assert refusal == "", refusal
    [d] = [d for d in out.decisions if d.rule == SELF_LOCKOUT]
    return out, d


def test_history_and_the_alert_say_what_was_asked_and_that_it_was_unchanged(monkeypatch):
    e, now = engine(), WEDNESDAY                               # Wed 10:00 CST
    reading_at(monkeypatch, now)        # history read that day: from 2026-12-09 on, dated
    request(e, now, session=True, reason="tilt test")
    out, d = request(e, now, until_ns=now + 30 * 60 * NS)     # 30m, inside the session's
    assert out.lockouts == [] and d.lock is None, (out.lockouts, d)
    [row] = rows(HistoryReply(decisions=[d]), {}, CHI)
    assert row[6] == UNCHANGED, row
    alert = decision_alert(d, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert UNCHANGED in alert.lines, alert.lines
    # its flatten found the account flat: that outcome is logged, not a second phone alert
    nothing = result_alert(CommandResult(command_id=f"{d.id}.1", account_id=ACCOUNT,
                                         status="done", detail="account Demo 1 was already "
                                         "flat", action="flatten", rule=SELF_LOCKOUT),
                           Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert nothing.kind in LOG_ONLY, nothing


def test_session_inside_a_longer_timer_names_both_ends(monkeypatch):
    e, now = engine(), WEDNESDAY
    reading_at(monkeypatch, now)        # history read that day (tests/support/readat.py)
    request(e, now, until_ns=now + 47 * 3600 * NS)             # until Fri 09:00 CST
    _, d = request(e, now + NS, session=True)                  # to the roll, Wed 17:00
    [row] = rows(HistoryReply(decisions=[d]), {}, CHI)
    assert row[6] == ("asked until Wed 17:00 CST; unchanged: already locked until Fri 09:00 "
                      "CST (self-lockout)"), row
