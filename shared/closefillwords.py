"""The name and WHO of risk's note of what riskd's own close, reduce or flatten filled (size,
price, PnL: services/risk/closefills.py), one for history, LAST ACTIONS and the phone."""
from __future__ import annotations

from shared.messages.enforce import DONE, closed_nothing
from shared.messages.risk import CLOSE_POSITION, FLATTEN, REDUCE_POSITION

CLOSE_FILLS = "riskd_close_fills"      # the rule name of the note (RuleWarning.rule)
WHO = "riskd (its fills)"              # history's WHO for it
# the actions whose fills it says, as the Done's first word says each
ACTIONS = {CLOSE_POSITION: "close", REDUCE_POSITION: "reduce", FLATTEN: "flatten"}


def wanted(res) -> bool:
    """A final result (CommandResult) whose fills the note says: a close, reduce or flatten
    done that names every order it made (orders_known) and made some (not one that closed
    nothing). notify's "✅ Done" of such a result waits a moment for the note."""
    return (res.status == DONE and res.action in ACTIONS and res.orders_known
            and bool(res.close_orders) and not closed_nothing(res))


def fills_line(note_reason: str) -> str:
    """The note's words as a line under the command's "✅ Done" (which names the action and
    who took it already): 'filled: closed MNQ +2 at 21000.12 (average), PnL -7.75, ...'."""
    return "filled: " + note_reason.split(": ", 1)[-1]
