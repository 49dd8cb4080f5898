"""The watch screen's view model: what a trader reads off the screen at one instant."""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from cli.watch.model import (Reachability, RiskUnavailable, bar_colour, build_screen,
                             fmt_countdown, screen_fields)
from shared.clock import NS_PER_S
from shared.messages.control import SupervisorStatus, WorkerEvent, WorkerInfo
from shared.messages.enforce import CommandResult
from shared.messages.risk import Decision
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS, account, lockout, state


def screen(s, now=NOW, selected=0):
    return build_screen(s, now, CHICAGO, CALENDAR, selected)


@pytest.mark.parametrize("fraction, colour", [(0.0, "green"), (0.79, "green"), (0.80, "amber"),
                                              (0.89, "amber"), (0.90, "red"), (1.3, "red")])
def test_a_limit_bar_is_green_then_amber_from_warn_at_then_red_past_90_percent(fraction, colour):
    """Trial finding 12: amber where riskd warns (the default warn_at, 80 %), not at 70 %."""
    assert bar_colour(fraction) == colour


def test_a_rules_own_warn_at_moves_the_colours():
    assert bar_colour(0.55, warn_at=0.5) == "amber" and bar_colour(0.75, warn_at=0.5) == "red"
    assert bar_colour(0.85, warn_at=0.9) == "green"


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (0.2, "1s"), (59, "59s"), (61, "1m01s"),
                                           (3 * 3600 + 5, "3h00m05s"),
                                           (2 * 86400 + 3700, "2d01h01m")])
def test_countdowns_read_like_a_clock_and_round_up(seconds, text):
    assert fmt_countdown(seconds) == text


def test_the_header_has_the_local_time_trading_day_time_to_roll_broker_and_workers():
    h = screen(state(account())).header
    assert h.clock == "Wed 14:03:27 CST"
    assert h.trading_day == "2026-11-25"
    assert h.to_roll == "2h56m33s"
    assert h.broker == "connected" and h.broker_ok is True
    assert [w.name for w in h.workers if w.healthy] == sorted(
        ["simbroker", "logging", "notify", "market", "risk", "enforcement"])


def test_after_the_roll_the_header_shows_the_next_trading_day():
    after = NOW + 3 * 3600 * NS_PER_S            # 17:03 Chicago
    h = screen(state(account()), now=after).header
    assert h.trading_day == "2026-11-26" and h.to_roll.startswith("23h")


def test_the_account_shows_balance_and_realized_unrealized_and_net_pnl():
    a = screen(state(account())).accounts[0]
    assert (a.balance, a.realized, a.unrealized, a.net) == ("49,732.50", "-312.50", "+45.00",
                                                           "-267.50")
    assert a.net_colour == "red" and a.trades == 4


def test_only_enabled_loss_limits_get_a_bar_coloured_by_how_much_is_used():
    bars = {b.rule: b for b in screen(state(account(progress=0.93))).accounts[0].bars}
    assert set(bars) == {"daily_realized_loss", "daily_net_loss"}
    assert bars["daily_realized_loss"].colour == "red"
    assert bars["daily_realized_loss"].text == "-312.50 / 500.00"
    assert bars["daily_net_loss"].colour == "green"


def test_positions_show_the_ticker_not_the_exchange_root():
    p = screen(state(account())).accounts[0].positions[0]
    assert (p.ticker, p.side, p.size, p.average, p.last, p.unrealized) == (
        "ES", "long", 2, "6012.25", "6012.70", "+45.00")


def test_every_enabled_rule_is_listed_with_value_vs_limit_and_disabled_ones_are_counted():
    view = screen(state(account())).accounts[0]
    rules = {r.rule: r for r in view.rules}
    assert rules["max_contracts"].text == "2/5 40%"
    assert "symbol_blocks" not in rules and view.rules_off == 2
    assert len(rules) == 4


def test_a_lockout_until_reset_shows_a_banner_counting_down_to_the_roll():
    s = state(account(lockouts=[lockout()]))
    a = screen(s).accounts[0]
    assert a.locked
    assert a.banners[0].kind == "LOCKED OUT"
    assert a.banners[0].countdown == "2h56m33s (until Wed 17:00:00 CST)"
    assert "realized -512.50 <= -500.00" in a.banners[0].text
    later = screen(s, now=NOW + 33 * NS_PER_S).accounts[0]
    assert later.banners[0].countdown.startswith("2h56m00s")


def test_a_cooldown_counts_down_its_timer_and_a_manual_lock_says_who_ends_it():
    timer = lockout(kind="timer", rule_name="cooldown_after_loss", reason="one trade lost 150",
                    until_ns=NOW + 245 * NS_PER_S)
    manual = lockout(kind="manual", rule_name="auth_loss_guard", reason="canTrade false")
    banners = screen(state(account(lockouts=[timer, manual]))).accounts[0].banners
    assert banners[1].kind == "COOLDOWN" and banners[1].countdown.startswith("4m05s")
    assert banners[0].countdown == "until an admin unlocks"      # the longer one first


def test_a_symbol_lockout_names_the_ticker_and_does_not_lock_the_account():
    sym = lockout(kind="until_reset", symbol="CON.F.US.ENQ.Z26", rule_name="symbol_blocks")
    a = screen(state(account(lockouts=[sym]))).accounts[0]
    assert a.banners[0].kind == "NQ LOCKED" and not a.locked


def test_enforcement_actions_show_outcome_and_latency_newest_first():
    s = state(account())
    for n, rule in enumerate(("max_contracts", "daily_realized_loss")):
        s.apply(Decision(id=f"d{n}", ts_ns=NOW + n, rule=rule, account_id=1001, action="flatten",
                         event_ns=NOW))
    s.apply(CommandResult(command_id="d1.1", account_id=1001, status="done",
                          started_ns=NOW + 10**6, first_answer_ns=NOW + 87 * 10**6,
                          finished_ns=NOW + 120 * 10**6, event_ns=NOW))
    s.apply(CommandResult(command_id="manual-5.1001", account_id=1001, status="done",
                          rule="manual", action="flatten", started_ns=NOW - 10**9,
                          finished_ns=NOW - 10**9 + 30 * 10**6))
    actions = screen(s).accounts[0].actions
    assert [(a.rule, a.action, a.status, a.latency) for a in actions] == [
        ("daily_realized_loss", "flatten", "done", "0.087s"),
        ("max_contracts", "flatten", "pending", "-"), ("manual", "flatten", "done", "0.030s")]
    assert actions[0].colour == "green"


def test_a_result_that_comes_before_its_decision_keeps_its_outcome_and_gains_the_rule():
    # risk publishes the command before the decision, and the result comes on enforcement's
    # stream: the screen must show the same row whichever arrives first
    s = state(account())
    s.apply(CommandResult(command_id="d7.1", account_id=1001, status="done",
                          started_ns=NOW + 10**6, first_answer_ns=NOW + 5 * 10**6,
                          finished_ns=NOW + 9 * 10**6, event_ns=NOW))
    s.apply(Decision(id="d7", ts_ns=NOW, rule="max_contracts", account_id=1001,
                     action="close_position", event_ns=NOW))
    actions = screen(s).accounts[0].actions
    assert [(a.rule, a.action, a.status, a.latency) for a in actions] == [
        ("max_contracts", "close_position", "done", "0.005s")]


def test_worker_events_update_health_and_a_dead_riskd_shows_the_retrying_notice():
    s = state(account())
    assert s.apply(WorkerEvent(name="risk", state="backoff"))
    risk = [w for w in screen(s).header.workers if w.name == "risk"][0]
    assert not risk.healthy and risk.state == "backoff"
    assert s.apply(Reachability(ok=False, reason="no answer", ts_ns=NOW))
    scr = screen(s, now=NOW + 5 * NS_PER_S)
    assert scr.notice == ("riskd not reachable -- retrying (for 5s); figures as of "
                          "Wed 14:03:27 CST, not live")
    assert scr.notice_level == "error"
    assert scr.accounts[0].net == "-267.50"           # the last known picture stays, marked
    assert scr.accounts[0].not_live == ("NOT LIVE: riskd not reachable; figures as of "
                                        "Wed 14:03:27 CST")
    assert s.apply(Reachability(ok=True))
    assert screen(s).notice == ("risk is not running (backoff): figures as of Wed 14:03:27 CST, "
                                "not live; NOT GUARDED now: risk not running")
    s.apply(WorkerEvent(name="risk", state="running"))
    s.apply(SupervisorStatus(pid=1, started_ns=NOW, config_path="riskd.toml",
                             workers=[WorkerInfo(name=n, state="running") for n in WORKERS]))
    assert screen(s).notice == ""


def test_risk_not_answering_is_a_warning_and_a_status_document_clears_it():
    s = state(account())
    s.apply(RiskUnavailable(reason="risk did not answer within 3 s"))
    assert screen(s).notice == ("risk did not answer within 3 s: "
                                "figures as of Wed 14:03:27 CST, not live")
    assert screen(s).notice_level == "warning"
    s.apply(account(realized="-10"))
    assert screen(s).notice == "" and screen(s).accounts[0].not_live == ""


def test_an_older_document_never_replaces_a_newer_one():
    s = state(account(realized="-100"))
    assert not s.apply(attrs.evolve(account(realized="-5"), ts_ns=NOW - 1))
    assert screen(s).accounts[0].realized == "-100.00"


def test_several_accounts_are_sorted_and_the_selection_is_kept_in_range():
    s = state(account(1002, "SIM-DEMO-2"), account(1001, "SIM-DEMO-1"))
    scr = screen(s, selected=7)
    assert [a.name for a in scr.accounts] == ["SIM-DEMO-1", "SIM-DEMO-2"]
    assert scr.selected == 1


def test_the_screen_turns_into_plain_json_values():
    fields = screen_fields(screen(state(account(lockouts=[lockout()]))))
    assert fields["accounts"][0]["banners"][0]["kind"] == "LOCKED OUT"
    assert isinstance(fields["accounts"][0]["bars"][0]["fraction"], float)
    assert Decimal(fields["accounts"][0]["balance"].replace(",", "")) == Decimal("49732.50")


def test_another_riskds_messages_are_said_once_on_the_screen_reachable_or_not():
    """cli/watch/source.py drops a frame of another riskd on this riskd's ports and hands the
    screen one ForeignSeen per sender: one warning line, kept while riskd is unreachable."""
    from cli.watch.model import ForeignSeen
    s = state(account())
    seen = ForeignSeen(instance="fedcba9876543210", publisher="risk")
    assert s.apply(seen) and not s.apply(seen)
    lines = [text for text, _level in screen(s).health if "another riskd" in text]
    assert lines == [
        "messages from another riskd on this machine were not shown (risk of riskd instance "
        "fedcba9876543210): it holds a port of this riskd's; give every riskd its own ports "
        "(docs/operations.md, \"Two riskd on one machine\")"]
    s.apply(Reachability(ok=False, reason="riskd not reachable", ts_ns=NOW))
    assert [t for t, level in screen(s).health if "another riskd" in t and level == "warning"]


def test_a_lockout_while_riskd_is_down_is_said_not_enforced_and_does_not_count_down():
    """Trial16c: after `riskd` stopped (SIGTERM) `watch` kept "LOCKED OUT 1d02h11m (until Mon
    17:00:00 CST)" counting down under "NOT LIVE: riskd is not running"; the stop alert says
    such lockouts are NOT enforced while riskd is down. The end stays, in the banner's text."""
    s = state(account(lockouts=[lockout()]))
    assert s.apply(Reachability(ok=False, reason="riskd is not running", ts_ns=NOW, gone=True))
    [banner] = screen(s, now=NOW + 5 * NS_PER_S).accounts[0].banners
    assert banner.kind == "LOCKED OUT"
    assert banner.countdown == "NOT ENFORCED while riskd is down"
    assert banner.text.endswith("; until Wed 17:00:00 CST"), banner.text
    assert s.apply(Reachability(ok=False, reason="no answer", ts_ns=NOW))   # only slow: as before
    assert screen(s, now=NOW + 5 * NS_PER_S).accounts[0].banners[0].countdown.startswith("2h56m")
