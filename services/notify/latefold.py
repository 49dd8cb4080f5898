"""Failed outcomes read at the start-up catch-up: one "🚨 Enforcement FAILED" per position.

Live, notify leaves the failures of risk's own closes, reductions, flattens and cancels to
risk (shared/retrying.told_by_risk), which tells one alert per failing action and folds an
action whose target lies in one it told of (services/risk/retries.py _folded_into: a
flatten of an account holding only MNQ long 1 while its close of MNQ fails). The catch-up
(services/notify/catchup.py) alerts the outcomes risk's alerts went out for while notify
was down, one by one: a close of MNQ and a flatten of the same account that both failed
were two "act now" for the one position (found by reading the code).

fold(results, decisions) picks, per account, which FAILED outcomes carry an alert and which
are told inside another's (its detail as an "also failed: ..." line): a failed flatten
speaks for every other failure of its account (it closes every position and cancels every
order); else a failed close or reduce speaks for the other closes and reductions of its
contract, a failed cancel for the other cancels of its order. Notify has no book: a
decision's target (its contract, its order) is what it knows of the position. Outcomes that
are not failures are left as they are.
"""
from __future__ import annotations

from typing import Iterable, Optional

from shared.messages.enforce import FAILED, CommandResult
from shared.messages.risk import (CANCEL_ORDERS, CLOSE_POSITION, FLATTEN, REDUCE_POSITION,
                                  command_key)


def _target(action: str, decision) -> Optional[tuple]:
    """What a failed action was about, as far as notify can tell; None: not foldable."""
    if action == FLATTEN:
        return (FLATTEN,)
    if decision is None:
        return None
    if action in (CLOSE_POSITION, REDUCE_POSITION) and decision.contract_id:
        return ("contract", decision.contract_id)
    if action == CANCEL_ORDERS and decision.order_id is not None:
        return ("order", decision.order_id)
    return None


def fold(results: Iterable[CommandResult],
         decisions: Iterable) -> dict[str, list[CommandResult]]:
    """{command id of an outcome that carries an alert: the FAILED outcomes told inside it},
    for the FAILED outcomes of `results` that share a position (see the module's docstring);
    a carrier is the account's failed flatten, else the first failure of its target. An
    outcome in no entry (as a key or in a list) is alerted as before."""
    by_id = {command_key(d): d for d in decisions}
    carriers: dict[tuple, CommandResult] = {}       # (account, target) -> its carrier
    failed: list[tuple[CommandResult, tuple]] = []
    for r in results:
        if r.status != FAILED:
            continue
        target = _target(r.action, by_id.get(r.command_id))
        if target is None:
            continue
        failed.append((r, target))
        if target == (FLATTEN,):
            carriers.setdefault((r.account_id, FLATTEN), r)
    folded: dict[str, list[CommandResult]] = {}
    for r, target in failed:
        carrier = carriers.get((r.account_id, FLATTEN)) \
            or carriers.setdefault((r.account_id, target), r)
        if carrier is not r:
            folded.setdefault(carrier.command_id, []).append(r)
    return folded


def also_failed(folded: Iterable[CommandResult]) -> tuple[str, ...]:
    """The lines a carrier's alert adds for the failures told inside it."""
    return tuple(f"also failed: {r.detail or r.action} (command {r.command_id})" for r in folded)
