"""What a command queued in its account's lane waits behind, in the words every screen shows.

A command waiting in enforcement's lane (services/enforcement/lanes.py: behind a command of its
contract, behind a flatten of its account) has made no broker call: no screen may call it in
flight. Its 'accepted' result and its journal state carry these words (CommandResult and
CommandState `waits_behind`), and LAST ACTIONS, `history`, the phone's /history and `riskctl
flatten` show them: "riskd's close of MNQ (held at the broker since Mon 08:15:02 CST)".
Once it runs, the words are gone and it reads as any command at work ('accepted').

How the one ahead stands is what enforcement knows of it: a trading call of it out at the
broker ("held at the broker since", the time the call went out: the executor's `at_broker`),
or running between calls ("running since", the time it took its slot), or itself waiting
("which waits behind ..."). Several running ones (a flatten waits for every close of the
account) are named oldest first.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Mapping, Optional

from shared import showtime
from shared.messages.enforce import Command
from shared.retrying import KILL_SWITCH_RULES
from shared.symbols import ticker_of

DEPTH = 4          # how far a chain of queued commands is followed ("which waits behind ...")


def what(cmd: Command) -> str:
    """'riskd's close of MNQ', 'riskd's flatten of the account', 'the kill switch's flatten of
    the account (by admin:root)', 'riskd's cancel of the account's orders'."""
    of = ticker_of(cmd.contract_id) if cmd.contract_id else ""
    if cmd.action == "close_position":
        doing = f"close of {of}"
    elif cmd.action == "reduce_position":
        doing = f"reduce of {of}"
    elif cmd.action == "flatten":
        doing = "flatten of the account"
    elif cmd.action == "cancel_orders":
        doing = (f"cancel of order {cmd.order_id}" if cmd.order_id is not None
                 else f"cancel of the account's orders{' in ' + of if of else ''}")
    elif cmd.action == "modify_stop":
        doing = f"stop move of order {cmd.order_id}"
    else:
        doing = cmd.action
    if cmd.rule in KILL_SWITCH_RULES:
        return f"the kill switch's {doing}" + (f" (by {cmd.by})" if cmd.by else "")
    return f"riskd's {doing}"


def words(command_id: str, ahead: Callable[[str], object], at_broker: Mapping[str, int],
          zone: Optional[dt.tzinfo], now_ns: int, depth: int = DEPTH) -> str:
    """What `command_id` waits behind ('' when it is not queued: it runs, or it is not
    enforcement's). ahead: Lanes.ahead; at_broker: Executor.at_broker."""
    found = ahead(command_id)
    if found is None:
        return ""
    tz = zone or dt.timezone.utc
    if found.running:
        parts = []
        for cmd, since_ns in found.running:
            sent = at_broker.get(cmd.id)
            how = (f"held at the broker since {showtime.start(sent, tz, now_ns)}"
                   if sent is not None else
                   f"running since {showtime.start(since_ns, tz, now_ns)}")
            parts.append(f"{what(cmd)} ({how})")
        return " and ".join(parts)
    if found.queued is None:
        return ""
    before = what(found.queued)
    further = words(found.queued.id, ahead, at_broker, zone, now_ns, depth - 1) \
        if depth > 1 else ""
    return f"{before}, which waits behind {further}" if further else f"{before} (queued before it)"
