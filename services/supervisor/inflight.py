"""What enforcement had in flight when it went down, for its crash and "back" alerts (pure).

The supervisor reads every CommandResult enforcement publishes (the 'result' topic, on the
socket it reads heartbeats on): an 'accepted' one is a command enforcement has journaled and
not finished; a final one (done, failed, skipped, withdrawn) ends it. When enforcement goes
down (a crash, a kill -9, a stop), the commands then unfinished are in flight: enforcement's
journal keeps them and the next enforcement resumes those younger than its resume window,
re-reading the broker first (services/enforcement/app.py), so a close the dead process's call
carried out is not sent again (a call still held at the broker is not seen there: the resumed
close is sent, and the held one may be carried out later, as riskd's late close). Trial18c: a
`kill -9` of enforcement in the middle of a close held at the broker gave a crash and a "back"
alert that said nothing of the close.

- down_lines(): the crash alert's line for each ('close by lockout enforcement on Demo 2 (id
  1002) was in flight: ...'), from what the supervisor saw, never guessed: a command whose
  result it never saw is not named.
- back_lines(): the "back" alert's line for each: done meanwhile (its outcome as enforcement
  reported it), or resumed by the enforcement now running (`riskctl history` shows what became
  of it: a close the dead process's call carried out reads "nothing to do", sent to no phone).
"""
from __future__ import annotations

from typing import Callable

from shared.messages.enforce import (CLOSING_ACTIONS, FINAL_STATUSES, RESUME_WINDOW_S,
                                     CommandResult)
from shared.outcomewords import ACTION_WORDS, who_acted

# enforcement resumes unfinished commands younger than this (shared/messages/enforce.py
# RESUME_WINDOW_S); older ones run again only if risk sends them again
RESUME_WINDOW_NS = RESUME_WINDOW_S * 10**9
ENFORCEMENT = "enforcement"


def resume_words(action: str) -> str:
    """What reading the broker first does, and what it cannot (trial19b section 1: "a call
    already sent is not sent twice" was untrue: the resumed close found the position still
    open, its first call held at the broker, and sent a second close). A close call still
    held is not seen at the broker: it may be carried out after the resumed close, and risk
    then says it as riskd's late close (docs/rules.md "Whose trade it is")."""
    if action in CLOSING_ACTIONS:
        return ("reading the broker first: a close already carried out is not sent again; one "
                "still held at the broker may be carried out later (riskd says so if that "
                "comes within 2 minutes)")
    return "reading the broker first: what is already done there is not sent again"


def _how(res: CommandResult) -> str:
    """How a command stood when enforcement went down: in flight, or (its latest 'accepted'
    result said so: services/enforcement/behind.py) still queued in its lane behind another
    command of the account, never sent to the broker."""
    behind = getattr(res, "waits_behind", "")
    if behind:
        return f"was waiting behind {behind}, not sent to the broker yet"
    return "was in flight, not finished"


def _at_down(res: CommandResult) -> str:
    return ("waiting behind another command at its down" if getattr(res, "waits_behind", "")
            else "in flight at its down")


class InFlight:
    def __init__(self, name_of: Callable[[int], str]):
        self.name_of = name_of                  # account id -> 'Demo 2 (id 1002)'
        self.running: dict[str, tuple[CommandResult, int]] = {}    # id -> (result, seen ns)
        self.at_down: dict[str, CommandResult] = {}      # unfinished when enforcement went down
        self.ended: dict[str, CommandResult] = {}        # of those, finished since

    def result(self, res: CommandResult, now_ns: int) -> None:
        """A result enforcement published."""
        if res.status in FINAL_STATUSES:
            self.running.pop(res.command_id, None)
            if res.command_id in self.at_down:
                self.ended[res.command_id] = res
        else:
            seen = self.running.get(res.command_id)
            self.running[res.command_id] = (res, seen[1] if seen else now_ns)

    def down(self, now_ns: int) -> list[str]:
        """Enforcement went down: what was in flight, kept for its "back" alert; the crash
        alert's lines."""
        for cid, (_res, seen) in list(self.running.items()):
            if now_ns - seen > RESUME_WINDOW_NS:     # too old to be resumed: not claimed
                del self.running[cid]
        # what is unfinished now (a crash again before "back": those still unfinished)
        self.at_down = {cid: res for cid, (res, _seen) in self.running.items()}
        self.ended.clear()
        return [f"{self.words(res)} {_how(res)}: the enforcement riskd starts again resumes "
                f"it, {resume_words(res.action)}" for res in self.at_down.values()]

    def back_lines(self) -> list[str]:
        """Enforcement is back: what became of each command in flight at its down (done
        meanwhile, or resumed now); then forgotten."""
        lines = []
        for cid, res in self.at_down.items():
            ended = self.ended.get(cid)
            if ended is not None:
                lines.append(f"{self.words(res)}, {_at_down(res)}: {ended.status}"
                             + (f": {ended.detail}" if ended.detail else ""))
            else:
                # no promise of a "✅ Done": a close found done by the call the dead process
                # sent is "nothing to do", which the phone is not sent (docs/alerts.md)
                lines.append(f"it resumes {self.words(res)}, {_at_down(res)}: it reads "
                             f"the broker first; riskctl history shows what became of it")
        self.at_down.clear()
        self.ended.clear()
        return lines

    def words(self, res: CommandResult) -> str:
        """'close by lockout enforcement on Demo 2 (id 1002)' (the Done alerts' words)."""
        action = ACTION_WORDS.get(res.action, res.action or "action")
        who = who_acted(res.rule, res.by)
        return f"riskd's {action}" + (f" by {who}" if who else "") + \
            f" on {self.name_of(res.account_id)}"
