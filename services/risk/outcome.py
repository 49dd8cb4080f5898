"""What one engine step produced (the worker commits it, then publishes it), and FixedRules."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import attrs

from shared.messages.enforce import Command
from shared.messages.market import Fill
from shared.messages.notify import NotifyEvent
from shared.messages.risk import Decision, LockoutChange, RuleWarning


@attrs.define
class Outcome:
    """What one step produced; the worker persists it, then publishes it."""
    decisions: list[Decision] = attrs.Factory(list)
    warnings: list[RuleWarning] = attrs.Factory(list)
    lockouts: list[LockoutChange] = attrs.Factory(list)
    commands: list[Command] = attrs.Factory(list)
    finished: list[str] = attrs.Factory(list)          # command ids with a final result
    fills: list[Fill] = attrs.Factory(list)            # new or changed trades to persist
    dirty: set[int] = attrs.Factory(set)               # accounts whose status changed
    exits: set[int] = attrs.Factory(set)               # accounts whose riskd exits changed
    moved: set[int] = attrs.Factory(set)               # accounts whose positions changed: the
                                                       # exposure record is saved with the step
    rolled: Optional[dt.date] = None
    notices: list[NotifyEvent] = attrs.Factory(list)   # alerts risk writes (retries.py)
    withdraws: list = attrs.Factory(list)              # WithdrawCommands to send (withdraw.py):
                                                       # saved before sent, as commands are

    @property
    def durable(self) -> bool:
        """Anything that must be committed before it is published?"""
        return bool(self.decisions or self.warnings or self.lockouts or self.commands
                    or self.finished or self.fills or self.rolled or self.exits or self.moved
                    or self.notices or self.withdraws)


class FixedRules:
    """Rule settings for tests and tools: the same RulesConfig for every account."""

    def __init__(self, rules):
        self.rules = rules

    def for_account(self, account):
        return self.rules

    def roll(self, now: int) -> None:
        """Nothing waits for the roll here."""


def merge(into: Outcome, other: Outcome) -> None:
    into.decisions += other.decisions
    into.warnings += other.warnings
    into.lockouts += other.lockouts
    into.commands += other.commands
    into.finished += other.finished
    into.fills += other.fills
    into.dirty |= other.dirty
    into.exits |= other.exits
    into.moved |= other.moved
    into.rolled = into.rolled or other.rolled
    into.notices += other.notices
    into.withdraws += other.withdraws

