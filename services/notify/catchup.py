"""What risk decided while notify was down, alerted late: the start-up catch-up.

Every worker's PUB keeps the last KEEP_FOR_S (10 s) of alert messages for a subscriber that
comes back (shared/bus/publisher.py); a notify down longer missed the rest (trial: a breach
decided while notify was down 16 s never reached the phone). So a notify that starts asks risk,
through the supervisor's control socket as `riskctl history` does, for the decisions made since
it was last known running (notify.sqlite table `alive`, written every ALIVE_EVERY_S), and
alerts each one it has not taken (table `decided`, by decision id; the kept copies and the
history can hold the same decision, in either order), marked as sent late. When risk cannot
answer, one alert says so and names the history command.

Then the outcomes of those late decisions' commands (trial: the phone read a late "⚠️ Breach
... action: close the position" and never whether it was done): asked as `riskctl history`
asks them, an EnforcementStatusRequest through the supervisor (which answers with the outcomes
it saw while enforcement is down: shared/actedby.journal_of), each FINAL one made into the
CommandResult the live path alerts ("✅ Done on ...", the failure alert), also marked sent
late. One not final yet is not alerted: enforcement publishes it when it is. Each outcome is
alerted once (notify.sqlite table `resulted`, by command id: the live stream, the PUBs' kept
copies and this answer can all bring the same one). docs/alerts.md says it.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from shared import showtime
from shared.actedby import command_id, journal_of
from shared.bus.publisher import KEEP_FOR_S
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.messages.control import ControlRequest
from shared.messages.enforce import (FINAL_STATUSES, CommandResult, CommandState,
                                     EnforcementStatusRequest)
from shared.messages.risk import (Decision, HistoryReply, HistoryRequest, LockoutList,
                                  LockoutsRequest, LockoutState)
from shared.clock import from_ns
from shared.messages.system import Reply

ALIVE_EVERY_S = 2.0       # how often notify writes that it runs
CATCH_UP_AFTER_S = 1.0    # after the start: the PUBs' kept copies have come, the SUBs joined
ASK_TIMEOUT_S = 2.0      # beside notify's loop (shared/beside.py), as the Telegram commands wait
MAX_BACK_NS = 86_400 * 10**9     # a notify down longer: its last day only
LIMIT = 500
TRIES, RETRY_S = 15, 2.0     # risk starting with riskd: asked again for about 30 s
OUTCOME_TRIES = 3            # the outcomes, asked once risk has answered: riskd runs
KEEP_NS = int(KEEP_FOR_S * 1e9)


def since_text(since_ns: int, tz: dt.tzinfo) -> str:
    """The --since of `riskctl history` for a window: an ISO time with its offset, cut."""
    return from_ns(showtime.down_to_second(since_ns), tz).isoformat()


def window_start(last_alive_ns: Optional[int], now_ns: int) -> Optional[int]:
    """Since when to ask (None: nothing to ask: a first run); a margin of ALIVE_EVERY_S and a
    second before the last sign of life."""
    if last_alive_ns is None:
        return None
    return max(last_alive_ns - int((ALIVE_EVERY_S + 1) * 1e9), now_ns - MAX_BACK_NS)


def ask_decisions(control: str, since_ns: int) -> list[Decision]:
    """Risk's decisions since since_ns, oldest first; raises LookupError saying why not."""
    try:
        with RpcClient(control, "supervisor", timeout=ASK_TIMEOUT_S, retries=0,
                       name="notify") as client:
            reply = client.call(ControlRequest(command=HistoryRequest(since_ns=since_ns,
                                                                      limit=LIMIT)))
    except RpcTimeout:
        raise LookupError(f"riskd did not answer within {ASK_TIMEOUT_S:g} s") from None
    if not isinstance(reply, Reply) or not reply.ok or not isinstance(reply.body, HistoryReply):
        raise LookupError(getattr(reply, "reason", "") or "risk could not say")
    return sorted((d for d in reply.body.decisions if d.ts_ns >= since_ns),
                  key=lambda d: d.ts_ns)


def ask_lockouts(control: str) -> list[LockoutState]:
    """The lockouts in force now, every account (a late breach alert says the one in force
    now: services/notify/latelock.py); raises LookupError saying why not."""
    try:
        with RpcClient(control, "supervisor", timeout=ASK_TIMEOUT_S, retries=0,
                       name="notify") as client:
            reply = client.call(ControlRequest(command=LockoutsRequest()))
    except RpcTimeout:
        raise LookupError(f"riskd did not answer within {ASK_TIMEOUT_S:g} s") from None
    if not isinstance(reply, Reply) or not reply.ok or not isinstance(reply.body, LockoutList):
        raise LookupError(getattr(reply, "reason", "") or "risk could not say")
    return list(reply.body.lockouts)


def ask_late(control: str, since_ns: int) -> tuple[list[Decision], Optional[list]]:
    """ask_decisions, then the lockouts in force now (None when risk could not list them:
    the late alerts then say only what was decided)."""
    decisions = ask_decisions(control, since_ns)
    try:
        return decisions, ask_lockouts(control)
    except LookupError:
        return decisions, None


def as_result(state: CommandState, rule: str = "") -> CommandResult:
    """A final journal entry as the CommandResult enforcement published for it (the inverse of
    services/supervisor/lastresults.final_state): the live path's templates read it."""
    return CommandResult(command_id=state.command_id, account_id=state.account_id,
                         status=state.status, detail=state.detail, attempts=state.attempts,
                         started_ns=state.received_ns, finished_ns=state.finished_ns,
                         event_ns=state.event_ns, action=state.action, rule=rule,
                         first_answer_ns=state.first_answer_ns,
                         closed_nothing=getattr(state, "closed_nothing", False))


def final_outcomes(reply, decisions) -> list[CommandResult]:
    """The final outcomes in an answer to an EnforcementStatusRequest about the decisions'
    commands (enforcement's own, or the supervisor's while it is down), in the decisions'
    order; one pending, running or not known is left out."""
    commands, _why = journal_of(reply, decisions)
    states = {c.command_id: c for c in commands
              if c.state == "final" and c.status in FINAL_STATUSES}
    out = []
    for d in decisions:
        state = states.pop(command_id(d) or "", None)
        if state is not None:
            out.append(as_result(state, d.rule))
    return out


def ask_outcomes(control: str, decisions: list[Decision]) -> list[CommandResult]:
    """The final outcomes of the decisions' commands (final_outcomes); raises LookupError
    saying why they could not be asked."""
    ids = [cid for cid in map(command_id, decisions) if cid is not None]
    if not ids:
        return []
    try:
        with RpcClient(control, "supervisor", timeout=ASK_TIMEOUT_S, retries=0,
                       name="notify") as client:
            reply = client.call(ControlRequest(command=EnforcementStatusRequest(
                command_ids=ids)))
    except RpcTimeout:
        raise LookupError(f"riskd did not answer within {ASK_TIMEOUT_S:g} s") from None
    if not isinstance(reply, Reply):
        raise LookupError("riskd could not say")
    return final_outcomes(reply, decisions)
