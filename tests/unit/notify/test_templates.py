"""Every event kind gives a short, phone-readable alert with the right severity."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from services.notify.templates import (CRITICAL, INFO, WARNING, Context, DisconnectWatch, build,
                                       render_digest, severity_at_least)
from shared.clock import to_ns
from shared.messages.control import ConfigChanged, WorkerEvent
from shared.messages.enforce import CommandResult
from shared.messages.market import BrokerConnection
from shared.messages.notify import AccountDay, DailySummary, NotifyEvent
from shared.messages.risk import Decision, LockoutChange, LockoutState, LockSpec, RuleWarning
from shared.symbols import tickers_in

CHI = ZoneInfo("America/Chicago")
CTX = Context(tz=CHI, accounts={1001: "SIM-DEMO-1"})
T0 = to_ns(dt.datetime(2026, 11, 24, 15, 30, tzinfo=CHI))
UNTIL = to_ns(dt.datetime(2026, 11, 24, 17, 0, tzinfo=CHI))

CASES = [
    (Decision(id="d1", ts_ns=T0, rule="daily_loss", account_id=1001, action="flatten",
              value=Decimal("-520"), limit=Decimal("-500"),
              lock=LockSpec(kind="until_reset", until_ns=UNTIL)),
     "breach", WARNING, ["Breach daily_loss on SIM-DEMO-1", "value -520.00 vs limit -500.00",
                         "action: flatten every position", "locked until Tue 17:00 CST"]),
    (Decision(id="d2", ts_ns=T0, rule="max_contracts", account_id=1001, action="reduce_position",
              mode="alert", value=Decimal(6), limit=Decimal(5)),
     "breach", WARNING, ["alert only, would reduce the position"]),
    (Decision(id="d3", ts_ns=T0, rule="daily_realized_loss", account_id=1001, action="flatten",
              mode="alert", value=Decimal(-520), limit=Decimal(-500),
              what="would have flattened 2 positions and cancelled 1 order"),
     "breach", WARNING, ["alert only: would have flattened 2 positions and cancelled 1 order"]),
    (RuleWarning(id="n", ts_ns=T0, rule="drawdown_guard", account_id=1001, value=None,
                 limit=None, warn_at=0.8, reason="check the max-loss line"),
     "rule_warning", INFO, ["drawdown_guard on SIM-DEMO-1", "check the max-loss line"]),
    (RuleWarning(id="w", ts_ns=T0, rule="daily_loss", account_id=1001, value=Decimal("-400"),
                 limit=Decimal("-500"), warn_at=0.8),
     "rule_warning", INFO, ["daily_loss at 80% of its limit on SIM-DEMO-1"]),
    (LockoutChange(change="added", ts_ns=T0, lockout=LockoutState(
        id="l", account_id=1001, kind="timer", rule="cooldown", since_ns=T0, until_ns=UNTIL)),
     "lockout_start", WARNING, ["Lockout started: SIM-DEMO-1 (id 1001) until Tue 17:00 CST",
                                "rule cooldown"]),
    (LockoutChange(change="cleared", ts_ns=UNTIL, by="admin", reason="manual review", lockout=
                   LockoutState(id="l", account_id=1001, kind="manual", rule="x", since_ns=T0)),
     "lockout_end", INFO, ["Lockout ended: SIM-DEMO-1 (id 1001), rule x", "was until an admin unlocks it, "
                           "ended by admin", "manual review"]),
    (CommandResult(command_id="d1.1", account_id=1001, status="failed", attempts=3,
                   broker_calls=3, detail="broker refused: account not found", finished_ns=T0),
     # enforcement's broker calls inside one command are "calls"; riskd's own commands of
     # an action are its attempts (trial 2026-12-06: "try" meant both)
     "enforcement_failed", CRITICAL, ["Enforcement FAILED on SIM-DEMO-1",
                                      "broker refused: account not found",
                                      "command d1.1, 3 calls to the broker"]),
    (CommandResult(command_id="d1.1", account_id=1001, status="done", detail="flattened 2 MNQ",
                   finished_ns=T0, first_answer_ns=T0 - 1),
     "action_done", INFO, ["Done on SIM-DEMO-1", "flattened 2 MNQ"]),
    (WorkerEvent(name="risk", state="backoff", exit_code=1, reason="exited with code 1"),
     "worker_crashed", WARNING, ["Worker risk crashed: exited with code 1"]),
    # trial 2026-12-05: "💥 Worker risk crashed (exit code -9)"
    (WorkerEvent(name="risk", state="backoff", exit_code=-9, reason="killed by signal 9"),
     "worker_crashed", WARNING, ["Worker risk crashed: killed by signal 9 (SIGKILL)"]),
    (WorkerEvent(name="market", state="flapping", reason="flapping: 5 crashes within 60 s"),
     "worker_flapping", CRITICAL, ["Worker market is flapping", "5 crashes within 60 s"]),
    (ConfigChanged(path="/etc/riskd.toml", ok=False,
                   problems=["notify.rate_per_minute: expected a number from 1 to 600, got 0"]),
     "config_reload_failed", WARNING, ["Config reload failed", "rate_per_minute"]),
    (DailySummary(trading_day="2026-11-24", accounts=[
        AccountDay(account="SIM-DEMO-1", pnl=Decimal("-120.5"), trades=7, breaches=1,
                   unguarded_s=42)]),
     "daily_summary", INFO, ["Daily summary 2026-11-24",
                             "SIM-DEMO-1: realized PnL -120.50 incl. fees, 7 trades, 1 breach, "
                             "unguarded 42s"]),
    # which rules, what riskd did, the lockouts (trial24a F6: "0 breaches" on such a day)
    (DailySummary(trading_day="2026-12-07", accounts=[
        AccountDay(account="SIM-DEMO-1", pnl=Decimal("-518.68"), trades=1, breaches=3,
                   rules={"cooldown_after_loss": 2, "max_contracts": 1},
                   actions={"reduce_position": 1, "flatten": 2}, lockouts=2)]),
     "daily_summary", INFO, ["SIM-DEMO-1: realized PnL -518.68 incl. fees, 1 trade, 3 breaches "
                             "(cooldown_after_loss 2, max_contracts 1), riskd's actions 3 "
                             "(1 reduce, 2 flattens), 2 lockouts"]),
    (NotifyEvent(kind="state_rebuilt", severity="critical", title="State file was corrupt",
                 lines=["moved aside, rebuilt from the broker"]),
     "state_rebuilt", CRITICAL, ["State file was corrupt", "moved aside"]),
]


@pytest.mark.parametrize("msg, kind, severity, parts", CASES,
                         ids=[f"{type(c[0]).__name__}-{c[1]}" for c in CASES])
def test_each_event_kind(msg, kind, severity, parts):
    alert = build(msg, CTX)
    assert (alert.kind, alert.severity) == (kind, severity)
    for part in parts:
        assert part in alert.text
    assert len(alert.text) < 500


@pytest.mark.parametrize("msg", [
    ConfigChanged(path="x", ok=True), WorkerEvent(name="risk", state="running"),
    CommandResult(command_id="c", account_id=1, status="accepted"),
    CommandResult(command_id="c", account_id=1, status="skipped")])
def test_routine_events_make_no_alert(msg):
    assert build(msg, CTX) is None


def test_disconnect_alerts_only_after_n_seconds_and_reconnect_follows():
    w = DisconnectWatch(after_s=30)
    assert w.observe(BrokerConnection(hub="user", state="disconnected", reason="socket closed"),
                     0.0) == []
    assert w.tick(29.0) == []
    (down,) = w.tick(30.5)
    assert down.kind == "broker_disconnected" and down.severity == CRITICAL
    assert "user hub disconnected for 30s" in down.title and "socket closed" in down.text
    assert w.tick(60.0) == []                          # once
    (up,) = w.observe(BrokerConnection(hub="user", state="connected"), 75.0)
    assert up.kind == "broker_reconnected" and "after 1m15s" in up.title


def test_the_alert_gives_the_newest_reason_not_the_first():
    w = DisconnectWatch(after_s=30)
    w.observe(BrokerConnection(hub="user", state="reconnecting",
                               reason="the connection closed"), 0.0)
    w.observe(BrokerConnection(hub="user", state="reconnecting", reason=(
        "broker refused riskd's session token (HTTP 401); logging in again failed: "
        "BrokerUnavailable: /api/Auth/loginKey: the broker did not answer")), 2.0)
    (down,) = w.tick(31.0)
    assert down.kind == "broker_disconnected" and "disconnected for 31s" in down.title
    assert "refused riskd's session token" in down.text
    assert "the connection closed" not in down.text


def test_a_refused_login_has_an_alert_of_its_own():
    w = DisconnectWatch(after_s=30)
    w.observe(BrokerConnection(hub="user", state="reconnecting",
                               reason="the connection closed"), 0.0)
    w.observe(BrokerConnection(hub="user", state="reconnecting", reason=(
        "broker refused riskd's login: check [broker] user_name and api_key "
        "(invalid user name or API key)")), 1.0)
    (down,) = w.tick(30.0)
    assert down.kind == "broker_login_refused" and down.severity == CRITICAL
    assert down.title.startswith("🔴 Broker refused riskd's login (user hub down for 30s)")
    assert "check [broker] user_name and api_key" in down.text
    assert "riskctl restart market" in down.text
    (up,) = w.observe(BrokerConnection(hub="user", state="connected"), 90.0)
    assert up.kind == "broker_reconnected"


def test_a_short_blip_is_not_worth_a_message():
    w = DisconnectWatch(after_s=30)
    w.observe(BrokerConnection(hub="market", state="reconnecting"), 0.0)
    assert w.observe(BrokerConnection(hub="market", state="connected"), 5.0) == []
    assert w.tick(100.0) == []


def test_digest_names_every_alert_and_compacts_when_long():
    few = [(T0, "🚨 Enforcement FAILED on A", "🚨 Enforcement FAILED on A\nHTTP 503"),
           (T0, "🚨 Worker market is flapping", "🚨 Worker market is flapping\n5 crashes")]
    full = render_digest(few, CTX, why="critical, sent at once")
    assert full.startswith("📦 Digest: 2 alerts merged (critical, sent at once): 🚨 Worker "
                           "market is flapping\n")     # the worst, latest, on the lock screen
    assert "HTTP 503" in full and "5 crashes" in full          # short: every alert in full
    entries = [(T0 + i * 10**9, f"⚠️ Breach daily_loss on ACC-{i}",
                f"⚠️ Breach daily_loss on ACC-{i}\nvalue -600.00 vs limit -500.00\n"
                f"action: flatten every position and cancel orders") for i in range(50)]
    text = render_digest(entries + [(T0 + 60 * 10**9, "🔒 ACC-7 locked until Mon 17:00 CST",
                                     "🔒 ACC-7 locked until Mon 17:00 CST")], CTX)
    assert text.startswith("📦 Digest: 51 alerts merged (rate limit reached): 🔒 ACC-7 locked "
                           "until Mon 17:00 CST\n"), text[:200]
    assert all(f"ACC-{i}\n" in text + "\n" for i in range(50))     # long: one line each
    assert "15:30:49 CST ⚠️" in text and "vs limit" not in text    # the zone on each line
    same = [(T0 + i, "⚠️ Breach daily_loss on SIM-DEMO-1", "x") for i in range(400)]
    compact = render_digest(same, CTX)
    assert "Breach daily_loss on SIM-DEMO-1 ×400" in compact and len(compact) < 3500
    many = [(T0, f"⚠️ Breach rule_{i} on account number {i}", "x") for i in range(400)]
    cut = render_digest(many, CTX)
    assert len(cut) <= 3500 and "more (riskctl history has them all)" in cut


def test_alert_times_name_their_zone_and_their_day_when_it_is_not_the_alerts():
    """Second trial, finding 1: every alert says which zone and, when it is not the day of
    the alert, which day (a lockout over the weekend ends 'Mon 17:00 CST')."""
    monday = to_ns(dt.datetime(2026, 11, 30, 17, 0, tzinfo=CHI))
    friday = to_ns(dt.datetime(2026, 11, 27, 15, 30, tzinfo=CHI))
    later = to_ns(dt.datetime(2026, 12, 9, 17, 0, tzinfo=CHI))
    lock = LockoutChange(change="added", ts_ns=friday, lockout=LockoutState(
        id="l", account_id=1001, kind="timer", rule="self_lockout", since_ns=friday,
        until_ns=monday))
    assert build(lock, CTX).title.endswith("until Mon 17:00 CST")
    far = attrs.evolve(lock, lockout=attrs.evolve(lock.lockout, until_ns=later))
    assert build(far, CTX).title.endswith("until Wed 2026-12-09 17:00 CST")
    d = Decision(id="d", ts_ns=friday, rule="self_lockout", account_id=1001, action="flatten",
                 lock=LockSpec(kind="timer", until_ns=monday))
    assert "locked until Mon 17:00 CST" in build(d, CTX).lines


def test_alerts_use_the_notify_zone_else_the_trading_days():
    from services.notify.templates import context_for
    from types import SimpleNamespace

    def config(notify_zone):
        return SimpleNamespace(notify=SimpleNamespace(timezone=notify_zone),
                               trading_day=SimpleNamespace(timezone="America/New_York"),
                               broker=SimpleNamespace(kind="sim"), accounts=[])
    assert context_for(config("")).tz.key == "America/New_York"
    assert context_for(config("Europe/London")).tz.key == "Europe/London"


def test_severity_order():
    assert severity_at_least(CRITICAL, WARNING) and severity_at_least(INFO, INFO)
    assert not severity_at_least(INFO, WARNING)


def test_the_daily_summary_carries_the_supervisors_unguarded_time_for_every_account():
    from services.notify.templates import with_unguarded
    summary = DailySummary(trading_day="2026-11-24", accounts=[
        AccountDay(account="A", pnl=Decimal(0)), AccountDay(account="B", pnl=Decimal(0),
                                                             unguarded_s=90)])
    text = build(with_unguarded(summary, 61.4), CTX).text
    assert "A: realized PnL +0.00 incl. fees, 0 trades, 0 breaches, unguarded 1m01s" in text
    assert "B: realized PnL +0.00 incl. fees, 0 trades, 0 breaches, unguarded 1m30s" in text


def test_alerts_name_the_tickers_people_trade_never_contract_ids():
    """Issue 17 item 9: alerts said CON.F.US.MNQ.Z26 where the screen says MNQ."""
    breach = build(Decision(id="d9", ts_ns=T0, rule="max_contracts", account_id=1001,
                            action="reduce_position", contract_id="CON.F.US.MNQ.Z26",
                            value=Decimal(9), limit=Decimal(5),
                            reason="9 open on CON.F.US.MNQ.Z26 and CON.F.US.EP.Z26"), CTX)
    lock = build(LockoutChange(change="added", ts_ns=T0, lockout=LockoutState(
        id="s", account_id=1001, kind="symbol", rule="symbol_blocks", since_ns=T0,
        symbol="CON.F.US.ENQ.Z26", reason="CON.F.US.ENQ.Z26 is blocked")), CTX)
    for alert in (breach, lock):
        assert "CON.F" not in alert.text, alert.text
    assert "action: reduce the position MNQ" in breach.text
    assert "9 open on MNQ and ES" in breach.text
    assert "value 9 vs limit 5" in breach.text          # contracts, not money (+9.00)
    assert "SIM-DEMO-1 (id 1001) NQ" in lock.title and "NQ is blocked" in lock.text


def test_what_the_phone_says_is_what_happened():
    """Trial findings: a warning titled 'at 80%' for 2 of 3; a self-lockout, an admin flatten
    and a lockout's own close alerted as rule breaches with 'value ? vs limit ?'; riskd's
    internal command ids on the phone; 'record only' for a cooldown that locks; an operator's
    restart alerted as a crash (exit code 0)."""
    def text(msg):
        a = build(msg, CTX)
        return None if a is None else "\n".join((a.title, *a.lines))
    two_of_three = RuleWarning(id="w", ts_ns=T0, rule="trade_frequency_limit", account_id=1001,
                               value=Decimal(2), limit=Decimal(3), warn_at=0.8)
    assert "at 67% of its limit" in text(two_of_three)
    selflock = Decision(id="s", ts_ns=T0, rule="self_lockout", account_id=1001,
                        action="flatten", lock=LockSpec(kind="until_reset", until_ns=UNTIL))
    assert text(selflock).startswith("🔒 Self-lockout on SIM-DEMO-1") and "?" not in text(selflock)
    covered = Decision(id="c", ts_ns=T0, rule="cooldown_after_loss", account_id=1001,
                       action="flatten", value=Decimal(-350), limit=Decimal(-300),
                       suppressed="the same action is in flight (d298b6d892664456ab4a.1)")
    assert "nothing sent: the same action is already under way" in text(covered)
    assert "d298b6" not in text(covered)
    cooldown = Decision(id="t", ts_ns=T0, rule="trade_frequency_limit", account_id=1001,
                        action="none", value=Decimal(3), limit=Decimal(3),
                        lock=LockSpec(kind="timer", until_ns=UNTIL))
    assert "action: lock the account (positions stay)" in text(cooldown)
    assert text(WorkerEvent(name="market", state="backoff", exit_code=0, reason="")) is None
    assert "crashed" in text(WorkerEvent(name="risk", state="backoff", exit_code=-9,
                                         reason="exited with code -9"))


def test_an_alert_shows_a_lockout_s_real_end_with_its_seconds():
    """User trial finding 1: ends cut to the minute looked earlier than they are."""
    friday = to_ns(dt.datetime(2026, 12, 4, 21, 51, 44, tzinfo=CHI))
    end = friday + 30 * 60 * 10**9 + 600_000_000                    # 22:21:44.6
    lock = LockoutChange(change="added", ts_ns=friday, lockout=LockoutState(
        id="l", account_id=1001, kind="timer", rule="self_lockout", since_ns=friday,
        until_ns=end))
    assert build(lock, CTX).title.endswith("until Fri 22:21:45 CST"), build(lock, CTX).title
    d = Decision(id="d", ts_ns=friday, rule="self_lockout", account_id=1001, action="flatten",
                 lock=LockSpec(kind="timer", until_ns=end))
    assert "locked until Fri 22:21:45 CST" in build(d, CTX).lines


def test_an_unlock_of_two_lockouts_names_each_ones_rule():
    """Trial finding (2026-12-05): unlocking an account with 2 lockouts sent two identical
    '🔓 Lockout ended: Demo 2 / by admin:root / loss test': which lockout was which?"""
    ends = [build(LockoutChange(change="cleared", ts_ns=UNTIL, by="admin:root",
                                reason="loss test", lockout=lo), CTX)
            for lo in (LockoutState(id="a", account_id=1001, kind="until_reset",
                                    rule="daily_realized_loss", since_ns=T0),
                       LockoutState(id="b", account_id=1001, kind="timer",
                                    rule="cooldown_after_loss", since_ns=T0, until_ns=UNTIL))]
    assert ends[0].title != ends[1].title and ends[0].text != ends[1].text
    assert "rule daily_realized_loss" in ends[0].title and "until the roll" in \
        ends[0].text
    assert "rule cooldown_after_loss" in ends[1].title and "until Tue 17:00 CST" in ends[1].text
    assert all("by admin:root" in e.text and "loss test" in e.text for e in ends)


@pytest.mark.parametrize("action, detail", [
    ("flatten", "account SIM-DEMO-1 was already flat"),
    ("close_position", "CON.F.US.MNQ.Z26 on account SIM-DEMO-1 was already flat"),
    ("reduce_position", "CON.F.US.MNQ.Z26 on account SIM-DEMO-1 was already flat"),
    ("reduce_position", "CON.F.US.MNQ.Z26 on account SIM-DEMO-1 is at 2 (target 2): nothing "
                        "left to do"),
    ("cancel_orders", "account SIM-DEMO-1 had no working orders"),
    ("cancel_orders", "order 7 on account SIM-DEMO-1: cancel order 7 (already done)"),
    ("modify_stop", "order 7 on account SIM-DEMO-1 is no longer working: stop not moved")])
def test_a_command_that_found_nothing_to_do_is_logged_not_sent(action, detail):
    """Third trial: "✅ Done ... was already flat" on the phone for a flatten that found the
    account flat is noise. Every action kind that can end with nothing done (no trading call,
    or each answered "already done": enforcement then reports no first answer) makes an alert
    of a log-only kind: in riskd's log and in history, never on a channel."""
    from services.notify.templates import LOG_ONLY
    nothing = CommandResult(command_id="d1.1", account_id=1001, status="done", detail=detail,
                            action=action, finished_ns=T0, broker_calls=2)
    alert = build(nothing, CTX)
    assert alert.kind in LOG_ONLY and alert.severity == INFO
    assert alert.title == "Nothing to do on SIM-DEMO-1 (id 1001)" and "✅" not in alert.text
    assert alert.lines == (tickers_in(detail),)
    done = attrs.evolve(nothing, detail="flattened account SIM-DEMO-1: close MNQ",
                        first_answer_ns=T0 - 1)
    assert build(done, CTX).kind == "action_done" not in LOG_ONLY


def test_a_trade_frequency_warning_names_its_window():
    # trial: the alert said "value 2 vs limit 3" where history said "2 of 3 trades per minute"
    w = RuleWarning(id="w", ts_ns=T0, rule="trade_frequency_limit", account_id=1001,
                    value=Decimal(2), limit=Decimal(3), warn_at=0.8,
                    reason="trade_frequency_limit at 67% of its limit: 2 of 3 trades per minute")
    alert = build(w, CTX)
    # and what the next trade does, as history's note says it (trial16g, finding 11)
    assert alert.lines == ("value 2 vs limit 3 per minute", "the next trade starts the cooldown")
    money = RuleWarning(id="m", ts_ns=T0, rule="daily_loss", account_id=1001,
                        value=Decimal(-400), limit=Decimal(-500), warn_at=0.8,
                        reason="daily_loss at 80% of its limit: realized -400")
    assert build(money, CTX).lines == ("value -400.00 vs limit -500.00",)


def test_a_reading_reads_like_the_reason_beside_it_no_plus_and_grouped():
    # trial 2026-12-05: "value +48,060.29 vs limit +48,100.00" above "equity 48060.29 ...":
    # one number written two ways in one alert
    w = RuleWarning(id="d", ts_ns=T0, rule="drawdown_guard", account_id=1001,
                    value=Decimal("48060.29"), limit=Decimal("48100"), warn_at=0.8,
                    reason="drawdown_guard at 98% of its limit")
    assert build(w, CTX).lines == ("value 48,060.29 vs limit 48,100.00",)


REFUSED_WORDS = ("cannot connect: the broker is not reachable at 127.0.0.1:47421 (connection "
                 "refused: nothing listens there)")


def test_a_refused_reason_from_before_the_sim_broker_started_again_is_not_given():
    """Trial20b section 8: "🔴 Broker user hub disconnected for 30s ... (connection refused:
    nothing listens there)" 11 s after `riskctl start simbroker` had the sim up (market's next
    try had not come yet). Now the alert says the broker is up again and market reconnects at
    its next try. Fails on main's code (the stale refusal, and no DisconnectWatch.worker)."""
    w = DisconnectWatch(after_s=30)
    w.observe(BrokerConnection(hub="user", state="reconnecting", reason="the connection closed"),
              0.0)
    w.observe(BrokerConnection(hub="user", state="reconnecting", reason=REFUSED_WORDS), 1.0)
    w.worker(WorkerEvent(name="market", state="running"), ("simbroker",), 15.0)  # not the sim
    w.worker(WorkerEvent(name="simbroker", state="starting"), ("simbroker",), 18.0)
    w.worker(WorkerEvent(name="simbroker", state="running"), ("simbroker",), 19.0)
    assert w.tick(30.0) == []               # market's next try may still reconnect it
    (down,) = w.tick(79.0)                  # still down 60 s after the sim's start
    assert down.lines == ("the broker is up again (riskd's sim broker started 1m00s ago); market "
                          "reconnects at its next try (it waits longer after each failed try, "
                          "60 s at most)",), down.lines
    assert "refused" not in down.text


def test_no_critical_alert_for_hubs_down_while_the_sim_broker_was_stopped_and_is_back():
    """Trial20c section 6: `riskctl stop simbroker` at 03:58:08, `start` at 03:58:32; two
    CRITICAL "hub disconnected for 30s: accounts are not guarded" alerts came at 03:58:38,
    after the sim was up (the stop and the start had alerts of their own), and "reconnected"
    2 s later. A hub that reconnects within market's next try after the sim's start sends
    nothing. Fails on main's code (both alerts at 30 s)."""
    w = DisconnectWatch(after_s=30)
    for hub in ("user", "market"):
        w.observe(BrokerConnection(hub=hub, state="reconnecting", reason=REFUSED_WORDS), 0.0)
    w.worker(WorkerEvent(name="simbroker", state="running"), ("simbroker",), 24.0)
    assert w.tick(30.0) == [] and w.tick(31.0) == []
    for hub in ("user", "market"):
        assert w.observe(BrokerConnection(hub=hub, state="connected"), 32.0) == []
    # stopped and not started again: alerted at 30 s as before
    w = DisconnectWatch(after_s=30)
    w.worker(WorkerEvent(name="simbroker", state="running"), ("simbroker",), -100.0)
    w.observe(BrokerConnection(hub="user", state="reconnecting", reason=REFUSED_WORDS), 0.0)
    (down,) = w.tick(30.0)
    assert down.severity == CRITICAL and "disconnected for 30s" in down.title


def test_a_refusal_said_after_the_sim_broker_started_is_the_latest_attempt_s():
    w = DisconnectWatch(after_s=30)
    w.worker(WorkerEvent(name="simbroker", state="running"), ("simbroker",), 0.0)
    w.observe(BrokerConnection(hub="user", state="reconnecting", reason=REFUSED_WORDS), 1.0)
    (down,) = w.tick(31.0)
    assert down.lines == (REFUSED_WORDS,)
    # a broker riskd does not run (no broker workers): market's words, always
    w = DisconnectWatch(after_s=30)
    w.observe(BrokerConnection(hub="user", state="reconnecting", reason=REFUSED_WORDS), 1.0)
    w.worker(WorkerEvent(name="simbroker", state="running"), (), 5.0)
    (down,) = w.tick(31.0)
    assert down.lines == (REFUSED_WORDS,)
