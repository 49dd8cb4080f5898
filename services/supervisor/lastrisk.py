"""risk's last known account figures, for the screens while risk cannot answer.

The supervisor keeps each account's newest AccountStatus from risk's answers to
RiskStatusRequest: the screens' own (riskctl status, watch: once a second while one is open)
and its own ask every REFRESH_EVERY seconds while risk runs, so figures exist when nobody
was looking. When risk cannot answer a RiskStatusRequest for every account (stopped, crashed,
too slow: the forwarder's 'unreachable' or 'timeout'), the answer is still that ERROR, with
the last known figures as its LastRiskStatus body and the time risk made them: never an ok
answer (a client that does not know the body reads the error, as before), never a figure
risk did not send. docs/operations.md (When risk is not running) says what screens show.
"""
from __future__ import annotations

from shared.messages.risk import AccountStatus, LastRiskStatus, RiskStatusReply
from shared.messages.system import Reply, error

REFRESH_EVERY = 5.0                     # s: the supervisor's own ask while risk runs
NOT_ANSWERED = ("unreachable", "timeout")   # the forwarder's codes: risk gave no answer


class LastRisk:
    def __init__(self) -> None:
        self.accounts: dict[int, AccountStatus] = {}

    def keep(self, request, reply: Reply) -> None:
        """Remember the figures of an ok answer; an answer for every account replaces them
        all (an account no longer configured is not kept)."""
        if not reply.ok or not isinstance(reply.body, RiskStatusReply):
            return
        fresh = {a.account_id: a for a in reply.body.accounts if a is not None}
        if not (getattr(request, "account", "") or "").strip():
            self.accounts = fresh
            return
        for aid, status in fresh.items():
            old = self.accounts.get(aid)
            if old is None or old.ts_ns <= status.ts_ns:
                self.accounts[aid] = status

    def answer(self, request, reply: Reply) -> Reply:
        """risk's answer as it came (its figures kept), or, when risk gave none to a request
        for every account, the same error carrying the last known figures."""
        self.keep(request, reply)
        if reply.ok or reply.code not in NOT_ANSWERED or not self.accounts \
                or (getattr(request, "account", "") or "").strip():
            return reply
        accounts = [self.accounts[a] for a in sorted(self.accounts)]
        return error(reply.code, reply.reason, LastRiskStatus(
            accounts=accounts, as_of_ns=min(a.ts_ns for a in accounts)))

    def lockouts_answer(self, request, reply: Reply, config=None) -> Reply:
        """risk's answer to a LockoutsRequest as it came, or, when risk gave none, the same
        error carrying the last known figures of the accounts asked for (their lockouts, and
        the time risk made them): a trader still sees their lockouts while risk is stopped,
        marked as riskd's last knowledge (trial 2026-12-05: `riskctl lockouts` refused while
        status showed LOCKED OUT 2d01h30m). config: names an account by its configured names."""
        if reply.ok or reply.code not in NOT_ANSWERED or not self.accounts:
            return reply
        ref = (getattr(request, "account", "") or "").strip()
        accounts = [a for _id, a in sorted(self.accounts.items())
                    if not ref or _names(a, ref, config)]
        if not accounts:
            return reply
        return error(reply.code, reply.reason, LastRiskStatus(
            accounts=accounts, as_of_ns=min(a.ts_ns for a in accounts)))


def _names(status: AccountStatus, ref: str, config) -> bool:
    """Is ref this account's id, broker name, or a name the config gives it?"""
    if ref == str(status.account_id) or ref.lower() == (status.name or "").lower():
        return True
    if config is None:
        return False
    from shared.config.accounts import find_account_quietly
    found = find_account_quietly(config.accounts, ref)
    return found is not None and found.id == status.account_id

