"""Enforcement's known outcomes, for the screens while enforcement cannot answer.

History, `riskctl status` and `watch` look up what became of each decision in enforcement's
journal (EnforcementStatusRequest, shared/actedby.py). While enforcement is stopped that journal
cannot be read, and a screen that then shows a done action as "pending" states a fact that
never happened. So the supervisor keeps every FINAL outcome it sees: each CommandResult
enforcement publishes ('result', on the PUB the supervisor already reads for heartbeats) and
each final entry of enforcement's answers that pass through it. When enforcement gives no
answer (the forwarder's 'unreachable' or 'timeout'), the answer is still that error, its
reason saying enforcement is stopped when it is, with the known final states of the asked
commands as its EnforcementStatus body: never an ok answer, never an outcome enforcement did
not report (a command not seen final here stays unknown, and the screens say "result not
known"). docs/operations.md (When enforcement is not running).
"""
from __future__ import annotations

from collections import OrderedDict

from shared.messages.enforce import (FINAL_STATUSES, CommandResult, CommandState,
                                     EnforcementStatus)
from shared.messages.system import Reply, error

KEEP = 20_000                            # newest outcomes kept (a few trading days of actions)
NOT_ANSWERED = ("unreachable", "timeout")   # the forwarder's codes: enforcement gave no answer


def final_state(res: CommandResult) -> CommandState:
    """A final CommandResult as the journal's entry for it (the same fields the screens read)."""
    return CommandState(command_id=res.command_id, account_id=res.account_id,
                        action=res.action, state="final", status=res.status,
                        detail=res.detail, attempts=res.attempts,
                        received_ns=res.started_ns, finished_ns=res.finished_ns,
                        event_ns=res.event_ns, first_answer_ns=res.first_answer_ns,
                        first_timed_out_s=res.first_timed_out_s,
                        closed_nothing=res.closed_nothing)


class LastResults:
    def __init__(self, keep: int = KEEP, since_ns: int = 0) -> None:
        self.since_ns = since_ns             # riskd's start: every outcome since then is seen
        self.keep_at_most = keep
        self.states: "OrderedDict[str, CommandState]" = OrderedDict()

    def _put(self, state: CommandState) -> None:
        self.states[state.command_id] = state
        self.states.move_to_end(state.command_id)
        while len(self.states) > self.keep_at_most:
            self.states.popitem(last=False)

    def result(self, res: CommandResult) -> None:
        """A result enforcement published: kept once it is final."""
        if res.status in FINAL_STATUSES:
            self._put(final_state(res))

    def keep(self, reply: Reply) -> None:
        """The final entries of an ok answer of enforcement's."""
        if reply.ok and isinstance(reply.body, EnforcementStatus):
            for c in reply.body.commands:
                if c.state == "final" and c.status in FINAL_STATUSES:
                    self._put(c)

    def answer(self, request, reply: Reply, stopped: str = "") -> Reply:
        """enforcement's answer as it came (its outcomes kept), or, when it gave none, that
        error (its reason `stopped` when enforcement is not running) carrying the outcomes
        known here of the commands asked about."""
        self.keep(reply)
        if reply.ok or reply.code not in NOT_ANSWERED:
            return reply
        known = [self.states[cid] for cid in getattr(request, "command_ids", []) or []
                 if cid in self.states]
        return error(reply.code, stopped or reply.reason,
                     EnforcementStatus(commands=known, known_since_ns=self.since_ns))
