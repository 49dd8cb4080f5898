"""While an account's positions are in doubt (market restarted and has not read the broker:
Engine.unsure) only the rules on trades judge it. Risk now says so with why and since when
(AccountStatus.positions_unjudged/_since), the trader's screen, `riskctl status` and the
phone's /status show it, and one alert goes out past 30 s, one when it ends. Old code: the
doubt had no start time, the status no field, and every screen said "guarded now".

The shipped rules (etc/riskd.toml), the story of test_no_judging_on_an_incomplete_snapshot.
"""
from __future__ import annotations

import datetime as dt

import attrs
import pytest

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.notify.bot.answers import status_text
from services.notify.templates import Context
from services.risk.unjudgedalert import UnjudgedAlerts
from services.risk.views import account_status
from shared.messages.risk import RiskStatusReply
from shared.messages.system import ok
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state, status_output
from tests.unit.cli.test_stale_price_screens import supervisor
from tests.unit.risk.desk import NS
from tests.unit.risk.test_no_judging_on_an_incomplete_snapshot import ACCOUNT, Story

WHY = "waiting for market's first broker read since it restarted: ES not confirmed"


def in_doubt() -> tuple[Story, int]:
    s = Story()
    s.wait(30)
    began = s.now
    s.snapshot(complete=False)                       # ES not listed: in doubt
    return s, began


@pytest.mark.parametrize("ended_by", ["complete-snapshot", "es-position",
                                      "incomplete-listing-es"])
def test_the_status_says_why_and_since_when_until_the_doubt_ends(ended_by):
    s, began = in_doubt()
    s.wait(5)
    s.snapshot(complete=False)                       # a second incomplete one: same doubt
    status = account_status(s.risk, ACCOUNT, s.now)
    assert (status.positions_unjudged, status.positions_unjudged_since) == (WHY, began)
    if ended_by == "complete-snapshot":
        s.snapshot(complete=True, positions=[s.es_long()])
    elif ended_by == "es-position":
        s.on(s.es_long())
    else:
        s.snapshot(complete=False, positions=[s.es_long()])
    status = account_status(s.risk, ACCOUNT, s.now)
    assert (status.positions_unjudged, status.positions_unjudged_since) == ("", 0)


def test_one_alert_past_30_s_and_one_when_it_ends():
    s, began = in_doubt()
    alerts = UnjudgedAlerts()
    said = []
    for _ in range(60):                              # 60 s of doubt, checked every second
        s.wait(1)
        said += [(kind, s.now) for kind, *_r in alerts.due(s.risk, s.now, dt.timezone.utc)]
    assert said == [("positions_not_judged", began + 31 * NS)], said
    s.snapshot(complete=True, positions=[s.es_long()])
    ended = alerts.due(s.risk, s.now, dt.timezone.utc)
    assert [(k, lines) for k, _sev, _t, lines, _a in ended] == [(
        "positions_judged_again",
        [f"{s.risk.account_name(ACCOUNT)}: the rules on its positions judge again (after "
         "1m00s: market's broker read is in, or the broker confirmed each position)"])]
    s.wait(40)
    assert alerts.due(s.risk, s.now, dt.timezone.utc) == []


def test_a_doubt_shorter_than_30_s_sends_nothing():
    s, _began = in_doubt()
    alerts = UnjudgedAlerts()
    s.wait(29)
    assert alerts.due(s.risk, s.now, dt.timezone.utc) == []
    s.on(s.es_long())
    s.wait(10)
    assert alerts.due(s.risk, s.now, dt.timezone.utc) == []


SINCE = NOW - 41 * NS
LINE = f"positions not judged since Wed 14:02:46 CST ({WHY}); trade rules still on"


def unjudged_account():
    return attrs.evolve(account(), positions_unjudged=WHY, positions_unjudged_since=SINCE)


def test_the_screens_and_the_phone_say_it():
    s = state(unjudged_account())
    s.apply(supervisor())
    screen = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 250))
    assert f"POSITIONS NOT JUDGED  since Wed 14:02:46 CST  -- {WHY}; trade rules still on" \
        in screen, screen
    assert "guarded now except Demo 1 (id 1001): positions not judged (waiting for" in screen, \
        screen
    ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    text = status_text([unjudged_account()], supervisor(), True, ctx, NOW)
    assert f"🟠 {LINE}" in text.splitlines(), text
    assert text.startswith("🟠 guarded now except Demo 1"), text


def test_riskctl_status_never_says_guarded_now_alone(capsys, monkeypatch):
    out = status_output(capsys, monkeypatch, supervisor(),
                        ok(RiskStatusReply(accounts=[unjudged_account()])))
    [head] = [ln for ln in out.splitlines() if ln.startswith("trading day ")]
    assert head.endswith(f"so far; guarded now except Demo 1 (id 1001): positions not judged "
                         f"({WHY}); trade rules still on"), head
    assert "POSITIONS NOT JUDGED  since Wed 14:02:46 CST" in out, out


def test_the_risk_worker_sends_both_alerts_and_publishes_the_status(tmp_path):
    """The real RiskWorker (tests/unit/risk/worker_rig.py) on an injected clock, the shipped
    rules: its ticks send the alert once past 30 s and the end once, and mark the account's
    status due when the doubt begins and when it ends (the screens show it at once)."""
    from decimal import Decimal
    from shared.clock import FakeClock
    from shared.messages.market import (POSITION_LONG, AccountUpdate, MarketSnapshot,
                                        PositionUpdate)
    from tests.unit.risk.desk import ES, chi
    from tests.unit.risk.worker_rig import risk_worker
    clock = FakeClock(chi(2026, 11, 25, 9, 0))
    aid = 1001
    with risk_worker(tmp_path, [{"id": aid, "name": "SIM-DEMO-1"}], clock) as (w, *_p, sent):
        es = PositionUpdate(account_id=aid, position_id=25, contract_id=ES, ts_ns=clock.now_ns(),
                            type=POSITION_LONG, size=1, average_price=Decimal(5000))

        def snapshot(complete, positions=()):
            w.apply(w.engine.apply_snapshot(MarketSnapshot(
                seq=1, epoch=1, complete=complete, positions=list(positions),
                accounts=[AccountUpdate(account_id=aid, name="SIM-DEMO-1",
                                        balance=Decimal(50_000), can_trade=True)]),
                clock.now_ns()))

        def tick(seconds) -> set:
            due = set()
            for _ in range(int(seconds * 10)):
                clock.advance(0.1)
                w._status_dirty.clear()
                w._tick()
                due |= w._status_dirty
            return due

        snapshot(True, [es])
        tick(1)
        snapshot(False)                                  # market restarted: ES in doubt
        assert aid in tick(0.1)
        tick(35)
        tick(30)
        assert [k for k, *_r in sent] == ["positions_not_judged"], sent
        assert w.line_owners[-1] == ("positions_not_judged", [aid, aid])
        snapshot(True, [es])                             # market's broker read
        assert aid in tick(0.1)
        tick(5)
        assert [k for k, *_r in sent] == ["positions_not_judged", "positions_judged_again"], sent
