"""What enforcement did for the decisions the phone's /history lists (pure but for one read).

`riskctl history` gives each decision's WHAT as enforcement's outcome ('done: closed ...',
'FAILED: ...; then taken as carried out late at 03:06:42', 'planned, not done yet: waiting behind
riskd's close of MNQ (...)', a late close's cancel of the contract's orders), never the plan
risk made; the phone asks the same journal (an EnforcementStatusRequest through the
supervisor, trader role, as riskctl does) so its lines say the same (shared/historywords.rows).
Before, the phone gave the plan ('close_position MNQ') where riskctl history said FAILED.
"""
from __future__ import annotations

from services.notify.bot.riskd import SUPERVISOR_GONE, Unavailable
from shared.actedby import command_id, outcomes_by_id
from shared.messages.enforce import EnforcementStatusRequest


def history_outcomes(riskd, decisions) -> tuple[dict, str]:
    """(command id -> enforcement's CommandState, why those missing are not known: '' when
    enforcement answered) for the decisions' commands; riskd: the bot's way into riskd
    (services/notify/bot/riskd.py). Not asked when no decision sent a command."""
    ids = [cid for cid in map(command_id, decisions) if cid is not None]
    if not ids:
        return {}, ""
    try:
        reply = riskd.reply(EnforcementStatusRequest(command_ids=ids))
    except Unavailable as exc:
        # riskd's supervisor is not running: its words, not the whole "start riskd again"
        gone = exc.code == SUPERVISOR_GONE and getattr(riskd, "gone", lambda: None)()
        return {}, gone or str(exc)
    return outcomes_by_id(reply, decisions)
