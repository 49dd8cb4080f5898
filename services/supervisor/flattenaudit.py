"""The kill switch's outcome in the audit trail: one more `flatten` row once enforcement has
finished every account of an admin flatten.

The flatten's own row is written when enforcement accepts it ("ok: flatten of 2 accounts
accepted"): riskd answers at once and riskctl follows the commands itself. Fresh-user trial
16b: that row was all the trail kept, while riskctl printed per account "nothing to do" /
"done ... (verified flat)". The supervisor already reads enforcement's results (the 'result'
topic, lastresults.py); this watches the flatten's command ids there and, once each is final
(or WAIT_S has passed: those still open are said pending), records the outcome per account in
the screens' words (shared/outcomewords.py), with the flatten's who, reason and fields.
"""
from __future__ import annotations

from typing import Callable, Optional

import attrs

from services.supervisor import audit
from shared import outcomewords
from shared.messages.enforce import FINAL_STATUSES, found_nothing_to_do
from shared.symbols import tickers_in

WAIT_S = 120.0          # s: a flatten not finished by then is recorded with what is pending


@attrs.define
class _Flatten:
    ids: list[str]                       # its commands, in the reply's order
    accounts: dict[str, int]             # command id -> account id
    who: str
    fields: dict
    until: float                         # monotonic: record what is known by then
    final: dict = attrs.Factory(dict)    # command id -> its final CommandResult


class FlattenOutcomes:
    def __init__(self, name: Callable[[int], str], known: Callable[[str], Optional[object]]):
        self.name = name                 # account id -> 'Demo 1 (id 1001)'
        # command id -> its final state already seen (lastresults.py): a result published
        # before enforcement's answer reached the supervisor is not missed
        self.known = known
        self.open: list[_Flatten] = []

    def watch(self, reply, who: str, request, now: float) -> None:
        """An admin flatten enforcement accepted: follow its commands."""
        commands = list(getattr(reply.body, "commands", None) or ()) if reply.ok else []
        if not commands:
            return
        self.open.append(_Flatten(
            ids=[c.command_id for c in commands],
            accounts={c.command_id: c.account_id for c in commands},
            who=audit.acting_who("admin", who, request), fields=audit.request_fields(request),
            until=now + WAIT_S))
        for cid in self.open[-1].ids:
            seen = self.known(cid)
            if seen is not None:
                self.result(seen)

    def result(self, res) -> None:
        """A result enforcement published (CommandResult), or a final state seen before."""
        if res.status not in FINAL_STATUSES:
            return
        for flatten in list(self.open):
            if res.command_id in flatten.accounts:
                flatten.final[res.command_id] = res
                if len(flatten.final) == len(flatten.ids):
                    self._record(flatten)

    def expire(self, now: float) -> None:
        for flatten in [f for f in self.open if now >= f.until]:
            self._record(flatten)

    def _record(self, flatten: _Flatten) -> None:
        self.open.remove(flatten)
        parts = []
        for cid in flatten.ids:
            res = flatten.final.get(cid)
            who = self.name(flatten.accounts[cid])
            if res is None:
                parts.append(f"{who}: pending after {WAIT_S:g} s (see riskctl history)")
                continue
            word = outcomewords.outcome_word(
                res.status, not found_nothing_to_do(res.status, res.first_answer_ns))
            detail = tickers_in(res.detail) if res.detail else ""
            parts.append(f"{who}: {word}" + (f" ({detail})" if detail else ""))
        done = all(cid in flatten.final and flatten.final[cid].status == "done"
                   for cid in flatten.ids)
        audit.record("FlattenRequest", "admin",
                     ("finished: " if done else "not all flat: ") + "; ".join(parts),
                     who=flatten.who, **flatten.fields)
