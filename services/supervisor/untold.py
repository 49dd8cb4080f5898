"""What an admin action a worker did not answer in time is answered with.

A request the supervisor forwards times out when the worker got it (or may have) but gave no
answer within the wait: busy, or killed after it acted and before it answered. The worker's
state words ("restarting after a crash (attempt 1): try again in a few seconds") then read as
"nothing was done; do it again" (trial22b finding 2, `riskctl flatten`), and an action done
twice is not always harmless. So a timeout is said as not known, with where its outcome shows
and what doing it again would do. An 'unreachable' request never reached the worker (nothing
was done): that answer stays, as does any answer the worker gave.

One function for every action (flatten, lockout, unlock, rules override, accounts disable
--now); each passes its own words (services/supervisor/commands/*.py).
"""
from __future__ import annotations

import re

from shared.messages.system import Reply, error

# how forward.py words a timeout ("risk did not answer within 3 s: why"); with risk shards
# the merged answer puts the shard's name first ("risk-1: risk-1 did not answer ...")
_TIMED_OUT = re.compile(r"\S+ did not answer within [0-9.]+ s")


def unanswered(reply: Reply, action: str, outcome: str) -> Reply:
    """reply as it came, unless it is a timeout: then '<worker> did not answer within N s, so
    whether it took <action> is not known: <outcome>' (outcome: where it shows if it did, and
    whether doing it again is harmless). The worker's state words after the timeout go: they
    say "try again", which is not what to do before looking."""
    if reply.ok or reply.code != "timeout":
        return reply
    return error(reply.code, not_known(timed_out(reply.reason), action, outcome), reply.body)


def not_known(silent: str, action: str, outcome: str) -> str:
    """'<who> did not answer within N s, so whether it took <action> is not known: <outcome>':
    riskctl's answer (unanswered) and the Telegram bot's (services/notify/bot/lockflow.py)."""
    return f"{silent}, so whether it took {action} is not known: {outcome}"


def is_timeout(text: str) -> bool:
    """Does this say that someone did not answer within its wait (a timeout's words)?"""
    return _TIMED_OUT.search(text or "") is not None


def timed_out(reason: str) -> str:
    """'risk did not answer within 3 s' of a timeout's reason, without the worker's state
    words after it (they are its next step, not the caller's)."""
    found = _TIMED_OUT.search(reason)
    return found.group(0) if found else reason.split(": ")[0]
