"""The contracts a rule's reduce closed that were bought while locked read the same on the
trader's screens and phone as in history (shared/outcomewords.py: one wording).

trial13a's burst (tests/unit/risk/test_bought_while_locked_in_a_reduce.py, risk's own engine
on the shipped rules): holding 5 against max_contracts 5, three buys of 2 MNQ; max_contracts
reduced to 5 and the cooldown started, the next two were bought while locked and lockout
enforcement left its cuts of them to that reduce in flight, which closed 6, 4 more than
asked. History said "; 4 of them bought while locked (lockout enforcement)", but the "✅ Done"
on the phone said only enforcement's "closed 6, 4 more than asked", LAST ACTIONS said "done"
for the reduce and "not sent: in flight" for lockout enforcement's two cuts (as if the buys
made while locked were kept). Now the Done and the line under the reduce's row carry
history's words, and those cuts read "left to max_contracts".
Put back (old cli/watch/model.py, cli/watch/view.py, services/notify/app.py and templates.py):
fails."""
from __future__ import annotations

from types import SimpleNamespace

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.notify.app import NotifyWorker
from services.notify.donehold import DoneHold
from services.notify.lockedbuys import LockedBuys
from services.notify.outbox import Outbox
from services.notify.templates import Context, result_alert
from shared.actedby import command_id
from shared.clock import FakeClock
from shared.historywords import decision_row
from shared.messages.enforce import CommandResult, CommandState
from tests.unit.cli.screens import CALENDAR, CHICAGO, account, state
from tests.unit.risk.desk import NS
from tests.unit.risk.test_bought_while_locked_in_a_reduce import _burst, _decisions

DETAIL = ("reduced MNQ on account 1001 to 5 contracts: closed 6, 4 more than asked "
          "(bought while the cut was on its way)")
WORDS = "4 of the 6 closed were bought while locked (lockout enforcement)"


def _story():
    """Risk's decisions of the burst and enforcement's result of max_contracts's reduce."""
    r, first = _burst()
    r.fill(-6, order_id=1001)
    r.result(first, "done", detail=DETAIL)
    done = CommandResult(command_id=first.id, account_id=first.account_id, status="done",
                         detail=DETAIL, attempts=2, broker_calls=2, started_ns=r.now,
                         finished_ns=r.now, first_answer_ns=r.now, event_ns=r.now,
                         action=first.action, rule=first.rule)
    return r, first, [d for d in _decisions(r) if d.action != "none"], done


def _history_what(first, decisions, done) -> str:
    others = {key: d for d in decisions for key in (d.id, command_id(d)) if key}
    [rule_d] = [d for d in decisions if d.rule == "max_contracts" and not d.suppressed]
    state_ = CommandState(command_id=first.id, account_id=first.account_id,
                          action=first.action, state="final", status="done", detail=DETAIL,
                          attempts=2, received_ns=done.finished_ns,
                          finished_ns=done.finished_ns, first_answer_ns=done.finished_ns)
    return decision_row(rule_d, {first.id: state_}, others=others)[3]


def test_last_actions_says_what_history_says_of_the_buys_made_while_locked():
    r, first, decisions, done = _story()
    assert _history_what(first, decisions, done).endswith(f"; {WORDS}")
    s = state(account())
    for d in decisions:
        s.apply(d)
    s.apply(done)
    screen = build_screen(s, r.now + NS, CHICAGO, CALENDAR)
    rows = [a for acct in screen.accounts for a in acct.actions]
    [reduce_row] = [a for a in rows if a.rule == "max_contracts"]
    assert reduce_row.outcome == "done"
    assert reduce_row.note == f"closed 6, 4 more than asked; {WORDS}"
    cuts = [a for a in rows if a.rule == "lockout enforcement"]
    assert [a.outcome for a in cuts] == ["left to max_contracts"] * 2, cuts
    assert all(a.colour == "green" for a in cuts)       # as the reduce that took them
    for width in (80, 120):                             # watch: the note under its row, whole
        text = plain(render(screen, width, 40, unicode=False))
        actions = text.split("LAST ACTIONS", 1)[1].splitlines()
        at = next(i for i, line in enumerate(actions) if " max_contracts " in line)
        assert WORDS in " ".join(" ".join(actions[at + 1:at + 3]).split()), text
        assert "not sent: in flight" not in text
    piped = plain(render(screen, 80, None, unicode=False, wrap=True))     # status to a pipe
    assert WORDS in " ".join(piped.split()), piped


def test_the_done_alert_says_what_history_says_of_the_buys_made_while_locked(tmp_path):
    r, first, decisions, done = _story()
    held = []
    w = SimpleNamespace(
        locked_buys=LockedBuys(Outbox(str(tmp_path / "notify.sqlite"))),
        _locks={}, _waited={}, _claimed={}, _fills={}, _market_waited={}, _accepted={}, done_hold=DoneHold(),
        clock=FakeClock(r.now),
        outbox=SimpleNamespace(decided=lambda _i: False, hold=lambda _f: 1,
                               mark_decided=lambda *_a: None),
        _hold=lambda msg, row: held.append(msg),
        ctx_t=Context(accounts={1001: "Demo 1"}),
        running=SimpleNamespace(down_since=lambda _n: None))
    for d in decisions:                        # notify hears risk's decisions first
        NotifyWorker._take(w, d)
    alert = result_alert(done, NotifyWorker._ctx(w))
    assert alert.title == "✅ Done on Demo 1 (id 1001)"
    # after the action and who took it (trial16g finding 6: services/notify/templates.answering)
    assert alert.lines == (f"reduce by rule max_contracts: {DETAIL}; {WORDS}",)
    assert _history_what(first, decisions, done).endswith(f"{DETAIL}; {WORDS}")   # as history
