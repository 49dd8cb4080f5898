"""drawdown_guard's reading says what its number is, alike on status, watch, rules list and the
phone's /status. Trial 2026-12-05: after `riskctl rules set default drawdown_guard line 48100`,
`rules list` showed "NOW 49,613.11 / 48,200.00" beside "line=48,100.00" and watch
"drawdown_guard ... 26% +49,613.11 / 48,200.00": the buffer (100) was added to the line with no
word, and the used share moved from 20 % to 26 % (the line rose by 100) with no trade. Now each
screen reads "equity 49,613.11, acts at 48,200.00 (line 48,100.00 + buffer 100.00)", risk's own
words (drawdown_guard.measure, shared/rulenumbers.drawdown_reading).

The shipped profile's drawdown_guard (etc/riskd.toml: starting_balance 50000, max_loss 2000,
buffer 100, eod), the only rule on, with the line the admin set in the trial."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from cli.watch.model import WatchState, account_view
from services.notify.bot.answers import status_text
from services.notify.templates import Context
from services.risk.views import account_rules, account_status
from shared.messages.config import RuleParams
from tests.unit.cli.screens import CHICAGO, WORKERS
from tests.unit.risk.desk import ACCOUNT, CHI, Desk

WORDS = "equity 49,613.11, acts at 48,200.00 (line 48,100.00 + buffer 100.00)"


def trial_desk() -> Desk:
    return Desk(balance="49613.11",
                drawdown_guard={"starting_balance": 50000, "max_loss": 2000, "buffer": 100,
                                "trailing": "eod", "line": 48100})


def test_risk_says_equity_where_it_acts_and_why():
    desk = trial_desk()
    [value] = [r for r in account_status(desk.engine, ACCOUNT, desk.now).rules
               if r.rule == "drawdown_guard"]
    assert value.detail == WORDS
    assert (value.value, value.limit) == (Decimal("49613.11"), 48200)


def test_watch_and_status_show_risk_s_words_in_the_bar_and_the_rule_row():
    desk = trial_desk()
    status = account_status(desk.engine, ACCOUNT, desk.now)
    state = WatchState()
    state.apply(status)
    view = account_view(state, status, desk.now, CHICAGO)
    [bar] = [b for b in view.bars if b.rule == "drawdown_guard"]
    assert bar.text == WORDS, bar
    [row] = [r for r in view.rules if r.rule == "drawdown_guard"]
    assert row.text.startswith(WORDS + " "), row       # then the share used: 26%
    assert row.text.endswith("%")


def test_rules_list_now_column_shows_the_same_words(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")     # the table form: the words on one line
    from cli.commands import rules
    desk = trial_desk()
    risk = account_rules(desk.engine, ACCOUNT, desk.now)
    row = RuleParams(target=f"account:{ACCOUNT}", profile="default", rule="drawdown_guard",
                     enabled=True, mode="enforce", warn_at=0.8,
                     params={"max_loss": "2000", "buffer": "100", "line": "48100"})
    ok = lambda body, reason="": SimpleNamespace(ok=True, body=body, reason=reason)  # noqa: E731

    class Ctx:
        json = False
        config_path = "no-such-riskd.toml"

        def request(self, _msg, **_kw):
            return ok(SimpleNamespace(rows=[row]))

        def call(self, _msg, **_kw):
            return ok(SimpleNamespace(accounts=[risk]))

    monkeypatch.setattr(rules, "namer", lambda ctx: lambda aid, name="": f"Demo 1 (id {aid})")
    assert rules.list_rules(SimpleNamespace(offline=False, account=None), Ctx()) == 0
    out = capsys.readouterr().out
    assert WORDS in out and "line=48,100.00" in out, out
    assert "49,613.11 / 48,200.00" not in out, out


def test_the_phones_status_shows_the_same_words():
    from shared.messages.control import SupervisorStatus, WorkerInfo
    desk = trial_desk()
    status = account_status(desk.engine, ACCOUNT, desk.now)
    sup = SupervisorStatus(pid=1, started_ns=desk.now, config_path="riskd.toml",
                           workers=[WorkerInfo(name=n, state="running") for n in WORKERS])
    text = status_text([status], sup, True, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}),
                       desk.now)
    [line] = [ln for ln in text.splitlines() if ln.startswith("drawdown_guard ")]
    assert f"({WORDS})" in line, text


def test_the_warning_alert_and_the_phones_history_give_risk_s_share_and_words():
    """The warning at 80 %: equity 48,500.00 with the line at 48,100.00 is 84 % of the room
    used (risk's measure). The alert read "drawdown_guard at 101% of its limit" (equity over
    line + buffer) and "value 48,500.00 vs limit 48,200.00"."""
    from services.notify.bot.answers import history_text
    from services.notify.templates import build
    from shared.messages.risk import HistoryReply
    desk = Desk(balance="48500", drawdown_guard={"starting_balance": 50000, "max_loss": 2000,
                                                 "buffer": 100, "trailing": "eod",
                                                 "line": 48100})
    [warning] = [w for out in desk.history for w in out.warnings]
    words = "equity 48,500.00, acts at 48,200.00 (line 48,100.00 + buffer 100.00)"
    ctx = Context(tz=CHI, accounts={ACCOUNT: "Demo 1"})
    alert = build(warning, ctx)
    assert alert.title == "🟡 drawdown_guard at 84% of its limit on Demo 1 (id 1001)", alert
    assert alert.lines == (words,), alert
    text = history_text(HistoryReply(warnings=[warning]), 5, ctx, "2026-11-25")
    # riskctl history's words (shared/historywords.py): risk's reason, no "vs"
    assert f"🟡 Demo 1 (id 1001) warning: rule drawdown_guard: drawdown_guard at 84% of its limit: " \
           f"{words}" in text, text
    assert " vs " not in text, text


def test_past_the_line_every_place_says_the_firm_s_limit_is_broken():
    """Trial 2026-12-06: `riskctl sim price MNQ 20800` with Demo 1 long 7 MNQ took equity to
    47,775.11, 224.89 below the firm's line 48,000.00. The breach alert read "value 47,775.11
    vs limit 48,100.00 / equity 47,775.11 within 100.00 of the max-loss line 48,000.00" and
    `status` "117% equity 47,772.52, acts at 48,100.00 (line 48,000.00 + buffer ...": as if
    there were room left. One rendering (shared/rulenumbers.drawdown_reading) serves the
    breach's reason (alert, history, replay) and the reading (status, watch, /status)."""
    from services.notify.templates import build
    from tests.unit.rules.test_drawdown_guard import balance
    desk = Desk(drawdown_guard={"starting_balance": 50000, "max_loss": 2000, "buffer": 100,
                                "trailing": "eod", "line": 48000})
    [d] = balance(desk, "47775.11").decisions
    crossed = ("equity 47,775.11 is 224.89 below the firm's max-loss line 48,000.00: "
               "the firm's limit is broken")
    assert d.reason == crossed
    alert = build(d, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert alert.title == "⚠️ Breach drawdown_guard on Demo 1 (id 1001)", alert
    assert alert.lines[0] == crossed, alert
    text = "\n".join(alert.lines)
    assert "within" not in text and "vs limit" not in text, alert
    status = account_status(desk.engine, ACCOUNT, desk.now)
    [value] = [r for r in status.rules if r.rule == "drawdown_guard"]
    assert value.detail.startswith(crossed), value
    state = WatchState()
    state.apply(status)
    [bar] = [b for b in account_view(state, status, desk.now, CHICAGO).bars
             if b.rule == "drawdown_guard"]
    assert bar.text == crossed, bar


def test_inside_the_buffer_the_words_say_how_far_above_the_line():
    from tests.unit.rules.test_drawdown_guard import balance
    desk = Desk(drawdown_guard={"starting_balance": 50000, "max_loss": 2000, "buffer": 100,
                                "trailing": "eod", "line": 48000})
    [d] = balance(desk, "48050").decisions
    assert d.reason == ("equity 48,050.00 is 50.00 above the firm's max-loss line 48,000.00, "
                        "inside the 100.00 buffer where riskd acts")


def test_the_phones_history_gives_the_breach_in_the_same_words():
    """The phone's /history read "drawdown_guard +47,775.11 vs +48,100.00" for the same
    breach: the words of the alert instead."""
    from services.notify.bot.answers import history_text
    from shared.messages.risk import HistoryReply
    from tests.unit.rules.test_drawdown_guard import balance
    desk = Desk(drawdown_guard={"starting_balance": 50000, "max_loss": 2000, "buffer": 100,
                                "trailing": "eod", "line": 48000})
    [d] = balance(desk, "47775.11").decisions
    text = history_text(HistoryReply(decisions=[d]), 5,
                        Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}), "2026-11-25")
    # riskctl history's words (shared/historywords.py): risk's reason, no "vs"
    assert "⚠️ Demo 1 (id 1001) rule drawdown_guard: flatten" in text, text
    assert ("equity 47,775.11 is 224.89 below the firm's max-loss line 48,000.00: the firm's "
            "limit is broken") in text, text
    assert " vs " not in text, text
