"""riskd's own actions tried again after enforcement gave up: the schedule and who tells.

Risk (services/risk/retries.py) tries a failed close, reduce, flatten or cancel of its own
again while its reason holds, after RETRY_AFTER_S (5 s after the first failure, 15 s after the
second, 30 s after the third, then every 60 s). Risk also tells the phone about it (one
"Enforcement FAILED" alert per failed action, "still failing" at most every STILL_FAILING_S,
one "Done ... on the 3rd attempt"); notify leaves those results of risk's commands to risk
(told_by_risk), and still alerts every other result itself (the kill switch's, a stop move's).
"""
from __future__ import annotations

from shared.plural import plural

RETRY_AFTER_S = (5, 15, 30, 60)
STILL_FAILING_S = 300
# what risk tries again (a stop move is not closing anything: its failure is alerted as is)
RETRIED = ("close_position", "reduce_position", "flatten", "cancel_orders")
# the kill switch's commands (`riskctl flatten`): the admin's, not risk's. One name for it
# everywhere, the one people read: risk's record of it (its Decision's rule), its alert ("Admin
# flatten"), history's WHO and enforcement's log all say "admin". Commands and results written
# before it was named so (a journal kept across the upgrade) say "manual": still the admin's.
KILL_SWITCH = "admin"
KILL_SWITCH_RULES = (KILL_SWITCH, "manual")


def is_kill_switch(rule: str) -> bool:
    """Is a command's (or its result's) rule the admin's kill switch?"""
    return rule in KILL_SWITCH_RULES


def retry_after_s(failures: int) -> int:
    """Seconds from the failure to the next try, after `failures` failures (1, 2, ...)."""
    return RETRY_AFTER_S[max(1, min(failures, len(RETRY_AFTER_S))) - 1]


def try_number(command_id: str) -> int:
    """Which try of its decision a command is: `<decision id>.<n>` (1 when not numbered)."""
    tail = command_id.rsplit(".", 1)[-1]
    return int(tail) if "." in command_id and tail.isdigit() else 1


def told_by_risk(status: str, action: str, rule: str, by: str, command_id: str) -> bool:
    """Is this final result of a command alerted by risk rather than by notify? Risk's own
    closes, reductions, flattens and cancels: every failure (risk says whether and when it
    tries again), and a done retry (risk says on which try)."""
    if action not in RETRIED or not rule or is_kill_switch(rule) or by:
        return False
    return status == "failed" or (status == "done" and try_number(command_id) > 1)


def calls_made(res) -> str:
    """The calls to the broker enforcement made for a command ('8 calls'): its broker_calls,
    not its rounds (a round of a close can make several: a read, the close, a check; the
    alerts said "gave up after 4 calls" of 4 rounds). A result that does not count its calls
    (an older enforcement's) gives its rounds instead ('4 rounds')."""
    calls = getattr(res, "broker_calls", 0) or 0
    if calls:
        return plural(calls, "call")
    return plural(getattr(res, "attempts", 0) or 1, "round")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
