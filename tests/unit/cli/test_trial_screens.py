"""What the fresh-clone user trial found on the screens (docs: /work trial findings 4, 12, 13,
16, 17), read as text at 80x24 and 120x40 like a trader sees them."""
from __future__ import annotations

import pytest

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.control import SupervisorStatus, WorkerEvent, WorkerInfo
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS, account, state

SIZES = [(80, 24), (120, 40)]


def text(s, width, height):
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), width, height))


def supervisor(unguarded=(), **states):
    return SupervisorStatus(pid=1, started_ns=NOW - 60 * NS_PER_S, config_path="riskd.toml",
                            workers=[WorkerInfo(name=n, state=states.get(n, "running"))
                                     for n in WORKERS], unguarded_now=list(unguarded))


@pytest.mark.parametrize("width, height", SIZES)
def test_a_stopped_market_is_not_guarded_and_the_broker_is_not_connected(width, height):
    s = state(account())                      # market said "connected" while it ran
    assert "broker connected" in text(s, width, height)
    assert "NOT GUARDED" not in text(s, width, height)
    s.apply(WorkerEvent(name="market", state="stopped"))      # riskctl stop market
    shown = text(s, width, height)
    assert "NOT GUARDED now: market not running" in shown
    assert "broker connected" not in shown and "broker unknown (market stopped)" in shown
    # the supervisor's next snapshot: its own words, exactly those of `riskctl status`
    s.apply(supervisor(["market not running"], market="flapping"))
    shown = text(s, width, height)
    assert "NOT GUARDED now: market not running" in shown
    assert "broker unknown (market flapping)" in shown
    s.apply(supervisor())                                     # market is back and guards
    shown = text(s, width, height)
    assert "NOT GUARDED" not in shown and "broker connected" in shown


@pytest.mark.parametrize("width, height", SIZES)
def test_not_guarded_follows_the_status_document_whatever_the_reason(width, height):
    s = state(account())
    s.apply(supervisor(["account 1001 not guarded: user hub disconnected"]))
    assert "NOT GUARDED now: account 1001 not guarded" in text(s, width, height)


def test_rule_parameters_reach_the_screens_without_python_reprs():
    """Trial finding 13: tiers=[{'loss': Decimal('100'), ...}], include_fees=True."""
    import attrs
    from services.risk.views import params_text, value_text
    from shared.config.rules import RulesConfig
    rules = RulesConfig()
    shown = {f.name: params_text(getattr(rules, f.name)) for f in attrs.fields(RulesConfig)}
    everything = " ".join(v for params in shown.values() for v in params.values())
    for leak in ("Decimal(", "True", "False", "None", "{'"):
        assert leak not in everything, (leak, everything)
    assert shown["cooldown_after_loss"]["tiers"].startswith("[{loss = 100, seconds = 300}")
    assert shown["daily_realized_loss"]["include_fees"] == "true"
    assert value_text(None) == "none" and value_text(True) == "true"


@pytest.mark.parametrize("width", [80, 120, 220])
def test_the_legend_shows_whole_items_only_and_the_thresholds_of_warn_at(width):
    """Trial finding 12: the legend was cut mid-word and named 70 % while riskd warns at 80 %."""
    from cli.watch.view import legend_items
    lines = render(build_screen(state(account()), NOW, CHICAGO, CALENDAR), width, 40)
    legend = plain([lines[-2]]).strip()
    items = legend.split(" | ")
    assert items and all(item in legend_items(True) for item in items), legend
    assert "70%" not in legend and len(legend) <= width
    if width >= 120:
        assert "amber from warn_at, red halfway to the limit" in items


def _decision(did, mode="enforce"):
    from shared.messages.risk import Decision
    return Decision(id=did, ts_ns=NOW - 30 * NS_PER_S, rule="daily_realized_loss",
                    account_id=1001, action="flatten", mode=mode, reason="x")


def test_latency_is_the_same_from_the_live_result_and_from_the_journal_and_none_for_a_skip():
    """Trial finding 16: status showed '-' where watch showed ms; an alert-mode skip showed
    '28010 ms'."""
    from shared.messages.enforce import CommandResult, CommandState, EnforcementStatus
    event, answer, end = NOW - 30 * NS_PER_S, NOW - 30 * NS_PER_S + 85_000_000, NOW - 29 * NS_PER_S
    live, journal = state(account()), state(account())
    for s in (live, journal):
        s.apply(_decision("d1"))
        s.apply(_decision("d2", mode="alert"))
    live.apply(CommandResult(command_id="d1.1", account_id=1001, status="done", event_ns=event,
                             started_ns=event, first_answer_ns=answer, finished_ns=end))
    live.apply(CommandResult(command_id="d2.1", account_id=1001, status="skipped",
                             event_ns=event, started_ns=event, finished_ns=NOW - 2 * NS_PER_S))
    journal.apply(EnforcementStatus(commands=[CommandState(
        command_id="d1.1", account_id=1001, action="flatten", state="final", status="done",
        received_ns=event, finished_ns=end, event_ns=event, first_answer_ns=answer)]))
    for s in (live, journal):
        rows = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions
        latency = {r.status: r.latency for r in rows}
        assert latency["done"] == "0.085s", rows
        assert [r.latency for r in rows if r.status != "done"] == ["-"], rows


@pytest.mark.parametrize("width, height", SIZES)
def test_small_labels_a_self_lockout_windows_and_prices(width, height):
    """Trial finding 17: a self-lockout --until 10m is no COOLDOWN; 4/10 and 2/3 say their
    window; 20968 beside 20965.25 reads 20968.00."""
    from decimal import Decimal

    import attrs

    from shared.messages.risk import PositionView
    from tests.unit.cli.screens import lockout, rule
    me = lockout(kind="timer", rule_name="self_lockout", until_ns=NOW + 600 * NS_PER_S,
                 reason="self-lockout by ana")
    freq = attrs.evolve(rule("trade_frequency_limit", 4, 10, 0.4),
                        detail="4 of 10 trades per hour")
    pos = PositionView(contract_id="CON.F.US.MNQ.Z26", symbol="MNQ", side="long", size=1,
                       average_price=Decimal("20965.25"), last=Decimal("20968"),
                       unrealized=Decimal("5.50"))
    shown = text(state(account(lockouts=[me], positions=[pos], rules=[freq])), width, height)
    assert "LOCKED OUT" in shown and "COOLDOWN" not in shown
    assert "4/10 per hour" in shown
    assert "20965.25" in shown and "20968.00" in shown
