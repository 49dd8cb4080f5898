"""Which of enforcement's commands carried out a decision of risk's.

Risk's own commands are numbered '<decision id>.1'; the kill switch's flattens are numbered by
enforcement ('admin-<n>.<account>') and risk's decision names that command (command_id).
History, `riskctl status`, `riskctl watch` and notify's start-up catch-up (the outcomes of
the decisions it alerts late: services/notify/catchup.py) all find a decision's outcome through
this one rule (LAST ACTIONS: docs/operations.md). While enforcement cannot answer, the
supervisor's error carries the outcomes it saw (services/supervisor/lastresults.py); every
other outcome is "not known", with why, never "pending"."""
from __future__ import annotations

from typing import Optional

from shared.messages.enforce import CommandState, EnforcementStatus
from shared.messages.risk import ACTION_NONE, ENFORCE, command_key


def command_id(d) -> Optional[str]:
    """The id of the command enforcement ran for a decision; None when none was sent."""
    if d.action == ACTION_NONE or d.mode != ENFORCE or d.suppressed:
        return None
    return row_key(d)


def row_key(d) -> str:
    """The command id a decision is (or would have been) carried out by: the key that joins a
    decision to enforcement's results and journal entries (shared/messages/risk.command_key)."""
    return command_key(d)


WAITS = "waits for enforcement, which is not running: risk sends it when enforcement is back"


def journal_of(reply, decisions=()) -> tuple[list, str]:
    """(enforcement's journal entries, why outcomes missing from them are not known) from the
    answer to an EnforcementStatusRequest: why is '' when enforcement answered itself; while
    it cannot, the entries are the outcomes the supervisor saw and why is its error's reason
    ('enforcement is stopped'). Of `decisions`, one decided since the supervisor has seen
    every outcome (known_since_ns: riskd's start) whose outcome it has not seen was never
    carried out: it is given as a pending entry (WAITS), not left "not known"."""
    body = reply.body if isinstance(reply.body, EnforcementStatus) else None
    commands = list(body.commands) if body is not None else []
    if reply.ok:
        return commands, "" if body is not None else "enforcement sent no journal"
    since = body.known_since_ns if body is not None else 0
    seen = {c.command_id for c in commands}
    for d in decisions:
        cid = command_id(d)
        if cid is not None and cid not in seen and since and d.ts_ns >= since:
            commands.append(CommandState(command_id=cid, account_id=d.account_id,
                                         action=d.action, state="pending", detail=WAITS))
            seen.add(cid)
    return commands, (getattr(reply, "reason", "") or getattr(reply, "code", "")
                      or "enforcement could not say")


def outcomes_by_id(reply, decisions=()) -> tuple[dict, str]:
    """(command id -> CommandState, why the others are not known) from the answer to an
    EnforcementStatusRequest (journal_of): what `riskctl history` and the phone's /history
    give shared/historywords.rows, so both say what enforcement did, never the plan."""
    commands, why = journal_of(reply, decisions)
    return {c.command_id: c for c in commands}, why
