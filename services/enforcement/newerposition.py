"""A position opened after riskd decided a close is not that close's to take.

A close_position command acts on the position risk saw breach. Its first close is sent blind
(no read: the benched path), but every later read of it -- the check after its close, a later
round, a round resumed after enforcement restarted -- may find a position the trader opened
AFTER riskd's close had already closed the one it was decided on. Closing that one is a
wrongful close: no rule judged it (fresh-user trial24b F1, 3 of 3: rule 4's close of long 1
worked, the admin unlocked, the trader bought 1; the close's slow check read came back with
the new long 1, "still open after closeContract", and its second round closed it; with
enforcement killed -9 after the close, the resumed command did the same). The make test's
unexplained failure of round 23 (test_late_carried_close_said) may have been this shape too.

Which position is newer is shared/openedafter.py's test (risk uses the same one, so a
position the close leaves is one risk sends a close of its own for under a lockout): its
broker creationTimestamp later than the opening of the position risk decided on
(Command.opened_ns, the broker's clock: a trader re-entering a second after riskd's close is
told apart, trial24b F1 (d)), or, for a command that does not name it, than its issue time
with a second for the two clocks. The command leaves it (its progress `newer`
says which, for the result's words) and is done; risk judges the new position as it judges any
(under a lockout, lockout enforcement closes it with a command of its own: risk never takes a
close issued before a position opened as covering it). A position of no known creation time,
or a command that names neither time, is closed as before.

A reduce (reduce_position) is decided on a position too, and leaves a newer one the same way:
a later round of it (after a refused or lost cut), risk's next try of it after a failure (a
new command issued after the trader re-entered, naming the same opening), or a round resumed
after a restart read the contract; one opened after the decided position is not its to cut
(flake25: max_contracts' cut refused, the admin unlocked, the trader sold and bought 3 again,
and the next round cut the new long 3 to 1), "... was closed; the long 3 open on it now was
opened at ..., after riskd decided this reduce: not cut by it (...)".
"""
from __future__ import annotations

from typing import Optional

from services.enforcement.closedby import position_words
from shared import showtime
from shared.openedafter import SAME_FILL_NS, opened_after
from shared.projectx.models import OrderSide, Position

NEWER = "newer"                 # progress key: [created_ns, signed size] of the position left


def opened_since(ctx, found: Optional[Position]) -> bool:
    """Was `found` opened after the position the command was decided on (Command.opened_ns;
    else after the command was issued)? Journaled (progress `newer`) when so."""
    if found is None or not opened_after(found.created_ns or 0, ctx.command):
        return False
    held = ctx.command.held
    if held and (found.signed_size > 0) == (held > 0):
        # the orders that opened it, on the side riskd's close did not trade (the same side
        # as the position it decided on), are the trader's: never this close's orders, not
        # even a lost call's, whose search runs to the end of the command (executor
        # _close_orders). Else risk took the trader's buy as riskd's fill and the lost close,
        # carried out later, as the trader's own (flake24's replay of the make test)
        ctx.opened_by = (found.created_ns - SAME_FILL_NS,
                         OrderSide.BID if found.signed_size > 0 else OrderSide.ASK)
    seen = [found.created_ns, found.signed_size]
    if ctx.progress.get(NEWER) != seen:
        ctx.save_progress(**{NEWER: seen})
    return True


def words(ctx, cid: str, noun: str = "close", verb: str = "closed") -> str:
    """'; the long 1 open on MNQ now was opened at Mon 14:07:38 CST, after riskd decided this
    close: not closed by it (riskd's rules judge it as any new position)' -- '' when no read of
    the command found one. A reduce's: noun 'reduce', verb 'cut'."""
    seen = ctx.progress.get(NEWER)
    if not seen:
        return ""
    created, signed = int(seen[0]), int(seen[1])
    when = showtime.start(created, ctx.zone, ctx.clock.now_ns())
    return (f"; the {position_words(signed)} open on it now was opened at {when}, after riskd "
            f"decided this {noun}: not {verb} by it (riskd's rules judge it as any new "
            f"position)")
