"""A person's own action in riskd's records, played in the replay at its moment as that person's.

The broker's history holds the fills of riskd's closes but not who asked for them. riskd's
records hold the decision of each: an admin's kill-switch flatten (`riskctl flatten`, rule
'admin'), an admin's lockout (`riskctl lockout --admin`, admin_lockout) and the trader's own
lockout (self_lockout). These are not the config's nor the bar prices': the replay plays them
as the person did, through the engine's own entry for each, as the risk worker does:
- a kill-switch flatten reaches risk as enforcement's result of a flatten risk did not command
  (Engine.on_result: the admin's decision); its fills are riskd's own in the history already, so
  the result comes at riskd's decision's moment (after them) with the close orders riskd's
  journal named;
- a lockout is asked of the engine (Engine.self_lock) with the lock riskd's decision asked for:
  the engine locks the account and sends its flatten, which riskd's own fills carry out, as for
  any close of riskd's (cli/replay/runner.py _as_riskd_did), and the lockout then blocks entries
  as it did live.
Before, the replay made none of them and said "the config replayed, or the bar prices, did not
reach them" (trial22c 5e), then that it "does not replay what a person did", while it did
replay a person's unlock. An action the engine refuses (riskd's records do not hold the lock
asked for, or the config replayed refuses it) is said with the engine's own reason.
"""
from __future__ import annotations

from typing import Optional

from cli.replay.riskdrecords import LiveClose
from shared.lockwords import ADMIN_LOCKOUT, SELF_LOCKOUT
from shared.messages.enforce import CommandResult
from shared.messages.risk import FLATTEN, TIMER, UNTIL_RESET, Decision
from shared.retrying import KILL_SWITCH_RULES

LOCKOUTS = (ADMIN_LOCKOUT, SELF_LOCKOUT)
PERSON_RULES = (*LOCKOUTS, *KILL_SWITCH_RULES)


def is_persons(live: LiveClose) -> bool:
    return live.rule in PERSON_RULES and live.action == FLATTEN


def play(engine, aid: int, live: LiveClose, feed) -> tuple[Optional[Decision], str]:
    """riskd's decision `live` asked of the engine at its moment, its outcome fed through
    `feed(out, ts)`. Returns the replay's own decision of it (a kill switch's: matched here; a
    lockout's flatten is matched by the runner as any close) and '' or why it was not made."""
    if live.rule in LOCKOUTS:
        lock = live.lock
        if lock is None or lock.kind not in (TIMER, UNTIL_RESET):
            return None, "riskd's records do not hold the lock it asked for"
        out, refusal = engine.self_lock(
            aid, live.ts_ns, until_ns=lock.until_ns if lock.kind == TIMER else None,
            session=lock.kind == UNTIL_RESET, reason=live.reason,
            admin=(live.by or "admin") if live.rule == ADMIN_LOCKOUT else "")
        if refusal:
            return None, refusal
        feed(out, live.ts_ns)
        return next((d for d in out.decisions if d.rule == live.rule), None), ""
    out = engine.on_result(CommandResult(
        command_id=live.command_id, account_id=aid, status="done", action=FLATTEN,
        rule=live.rule, finished_ns=live.ts_ns, close_orders=list(live.close_orders),
        orders_known=live.settled, reason=live.reason, by=live.by), live.ts_ns)
    feed(out, live.ts_ns)
    made = next((d for d in out.decisions if d.rule in KILL_SWITCH_RULES), None)
    return made, "" if made is not None else "the engine took it for a flatten of its own"
