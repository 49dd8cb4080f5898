"""A close of riskd's whose own call found the contract flat (the trader's own sell closed it
while the close was in flight) and that cancelled the trader's stop left working there: the
close is "nothing to do" on every screen and the cancel is said on its own; the phone is told of
the cancel with words that claim no close (trial22a F3: LAST ACTIONS read "nothing to do" for
one such close and "done", with a "✅ Done" alert, for the same close that also cancelled the
stop, which read as "riskd closed it")."""
from __future__ import annotations

import pytest

from cli.watch.model import build_screen
from services.notify.templates import LOG_ONLY, Context, build
from shared.historywords import outcome_text
from shared.messages.enforce import CommandResult, CommandState, EnforcementStatus
from shared.messages.risk import Decision
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
from tests.unit.risk.desk import ACCOUNT

FLAT = ("MNQ on account Demo 2 (id 1002) was already flat: closed by a market sell of 2 at "
        "Mon 08:16:17 CST (order 9000011), not this close (its call found no position)")
CANCELLED = "; 1 order cancelled"
ANSWERED = NOW + 3_000_000_000          # the cancel's answer: first_answer_ns is set


def _states(cancelled: bool):
    """(the live result, the journal's state) of the close; cancelled: it cancelled the stop."""
    detail = FLAT + (CANCELLED if cancelled else "")
    first = ANSWERED if cancelled else 0
    res = CommandResult(command_id="d1.1", account_id=ACCOUNT, status="done", detail=detail,
                        action="close_position", rule="daily_unrealized_loss", event_ns=NOW,
                        started_ns=NOW, first_answer_ns=first, finished_ns=ANSWERED,
                        closed_nothing=True)
    st = CommandState(command_id="d1.1", account_id=ACCOUNT, action="close_position",
                      state="final", status="done", detail=detail, event_ns=NOW,
                      received_ns=NOW, first_answer_ns=first, finished_ns=ANSWERED,
                      closed_nothing=True)
    return res, st


@pytest.mark.parametrize("source", ["live", "journal"])
@pytest.mark.parametrize("cancelled", [False, True])
def test_last_actions_says_nothing_to_do_whether_or_not_it_cancelled(source, cancelled):
    s = state(account())
    s.apply(Decision(id="d1", ts_ns=NOW, rule="daily_unrealized_loss", account_id=ACCOUNT,
                     action="close_position", event_ns=NOW))
    res, st = _states(cancelled)
    s.apply(res if source == "live" else EnforcementStatus(commands=[st]))
    screen = build_screen(s, NOW + 40 * 1_000_000_000, CHICAGO, CALENDAR)
    assert [a.outcome for a in screen.accounts[0].actions] == ["nothing to do"]


@pytest.mark.parametrize("cancelled", [False, True])
def test_history_says_nothing_to_do_and_the_cancel_on_its_own(cancelled):
    _res, st = _states(cancelled)
    text = outcome_text(st)
    assert text.startswith("nothing to do: MNQ on account Demo 2 (id 1002) was already flat")
    assert text.endswith("(its call found no position); 1 order cancelled") == cancelled


def test_the_phone_hears_of_the_cancel_never_of_a_close_done():
    ctx = Context()
    quiet, _ = _states(False)
    assert build(quiet, ctx).kind in LOG_ONLY          # nothing at all done: logged only
    res, _ = _states(True)
    alert = build(res, ctx)
    assert alert.kind not in LOG_ONLY
    assert "Done" not in alert.title and "closed" not in alert.title.replace("to close", "")
    assert alert.title.startswith("✅ Orders cancelled on ")
    assert alert.title.endswith(": nothing to close")
    assert alert.lines == ("close by rule daily_unrealized_loss: " + FLAT + CANCELLED,)
