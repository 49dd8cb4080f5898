"""Withdraw: risk takes back a command it sent, before it runs (shared/messages/enforce.py).

An admin ended the lockout the command was for, or the account is no longer guarded
(`riskctl unlock`, `riskctl accounts disable --now`). Before this, a flatten the market had
refused stayed pending and ran when the market opened, on an account no longer locked or no
longer guarded (trial 2026-12-06). A command enforcement holds and is not running at this
moment -- pending (waiting for its retry: the market closed), or queued in its lane behind
another -- ends as a final 'withdrawn' result, journaled, so a restart does not resume it.
One running now stops before its next trading call (a broker call already out cannot be
stopped half-way): the withdraw is journaled (a restart stops the resumed command too) and the
executor ends it 'withdrawn', or 'done' with what it did before the withdraw came
(executor.Executor._withdrawn). Before, it ran to its end: in the make test at 56ade29c the
cooldown's flatten, started just before an admin's unlock reached enforcement, read the
positions after the trader's next buy and closed that new position. A withdraw of a finished
command is answered with its stored result; one of an unknown id is journaled withdrawn, so
the command arriving late never runs.
"""
from __future__ import annotations

import logging

from services.enforcement.journal import Entry, Journal
from shared.messages.enforce import WITHDRAWN, Command, CommandResult, WithdrawCommand

log = logging.getLogger(__name__)


def detail(w: WithdrawCommand) -> str:
    """'withdrawn: flatten (MNQ long 1) was not carried out: the lockout ended (admin:root)'."""
    return f"withdrawn: {w.what or 'the action'} was not carried out: {w.reason}"


def log_detail(status: str, detail: str) -> str:
    """A result's detail as enforcement's "command X withdrawn: ..." line says it, after the
    status: without detail()'s own 'withdrawn: ' (trial24b, resume25: "command ... withdrawn:
    withdrawn: close MNQ long 1 was not carried out" in `riskctl logs`)."""
    return detail.removeprefix(f"{WITHDRAWN}: ") if status == WITHDRAWN else detail


def finish(journal: Journal, w: WithdrawCommand, now_ns: int) -> Entry:
    """Journal the command withdrawn (final; the first final result wins), and return its row.
    An id the journal does not know gets a row of its own (the command never runs)."""
    if journal.get(w.command_id) is None:
        journal.receive(Command(id=w.command_id, decision_id="", account_id=w.account_id,
                                action="", reason=w.reason, by=w.by), now_ns)
    return journal.finish(CommandResult(command_id=w.command_id, account_id=w.account_id,
                                        status=WITHDRAWN, detail=detail(w), finished_ns=now_ns,
                                        reason=w.reason, by=w.by))
