"""One event, one set of words on every screen: how an action's outcome and who acted read in
`riskctl history`, `riskctl watch` / `status` (LAST ACTIONS), `riskctl flatten`, the
phone's /history and its "✅ Done" alert.

Trial 2026-12-06: the same flatten read "nothing to do" in `flatten --all` and watch but
"done: ... was already flat" in history; watch's rule column said "lockout" and "admin" where
history said "lockout enforcement" and "admin:root". The screens now take these words from here.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from shared import afterclosewords, latewords
from shared.closefillwords import CLOSE_FILLS, WHO as CLOSE_FILLS_WHO
from shared.actedby import WAITS
from shared.lockwords import ADMIN_LOCKOUT, SELF_LOCKOUT
from shared.messages.enforce import HELD, MARKET_OPEN
from shared.messages.risk import LEFT_TO_ONE_IN_FLIGHT

from shared.plural import plural
from shared.retrying import KILL_SWITCH

NOTHING_TO_DO = "nothing to do"       # a done command that made no trading call
DONE = "done"

# who acted, for what risk decides without a rule's limit (risk's Decision.by)
LOCKOUT_RULE = "lockout"
ADMIN = KILL_SWITCH        # the admin's kill switch (`riskctl flatten`): its one name
_NOT_A_RULE = {SELF_LOCKOUT: "trader (self-lockout)", ADMIN_LOCKOUT: "the admin (admin lockout)",
               ADMIN: "admin",
               LOCKOUT_RULE: "lockout enforcement",
               # riskd's cancel of what its late close left working (services/risk/latecarried.py)
               latewords.LATE_CLOSE: latewords.WHO,
               # the trader's fill that opened a position right after riskd's close of that
               # contract (services/risk/afterclose.py): a note, the trader's own doing
               afterclosewords.OPENED_AFTER: afterclosewords.WHO,
               # the trader's fill made while riskd's close was in flight, not riskd's after
               # all (services/risk/afterclose.py during_note): the trader's own trade
               afterclosewords.DURING: afterclosewords.DURING_WHO,
               # what riskd's own close filled (services/risk/closefills.py)
               CLOSE_FILLS: CLOSE_FILLS_WHO}
# risk's notes that history's WHO names by who, not "warning: rule ..."
_NOTES = (latewords.LATE_CLOSE, afterclosewords.OPENED_AFTER, afterclosewords.DURING,
          CLOSE_FILLS)
RULE = "rule "


# an action in a word or two, as the "✅ Done" alerts say it before who took it ("close by
# lockout enforcement: ..."): watch's narrow action column, the supervisor's alerts on a
# command in flight (services/supervisor/inflight.py)
ACTION_WORDS = {"close_position": "close", "reduce_position": "reduce", "flatten": "flatten",
                "cancel_orders": "cancel", "modify_stop": "stop move"}


def contracts(n: int) -> str:
    """'1 contract', '2 contracts' (shared/plural.py)."""
    return plural(n, "contract")


def from_to(before, after: int) -> str:
    """'from 2 contracts to 1' (trial14a: "from 2 to 1 contracts"); 'to 1 contract' when the
    size before is not known."""
    if isinstance(before, int):
        return f"from {contracts(before)} to {after}"
    return f"to {contracts(after)}"


# a rule in alert mode: enforcement described its action and made no trading call (its result
# 'skipped', services/enforcement/executor.py); LAST ACTIONS says so, as the phone does
# ("alert only: would have closed the MNQ position"), never 'skipped' alone (trial25a N7: the
# row read as riskd having skipped a close it should have made)
ALERT_ONLY = "alert only"
SKIPPED_ALERT = "alert mode: "            # enforcement's skipped result's first words


def alert_only(status: str, would: str, detail: str = "") -> Optional[tuple[str, str]]:
    """(outcome, line under the row) of an alert-mode action: ALERT_ONLY and what enforce
    mode would have done (risk's decision's words `would`, else enforcement's skipped result's
    `detail` without its 'alert mode: '); None for an action of enforce mode."""
    if status not in ("skipped", ALERT_ONLY):
        return None
    words = would or (detail[len(SKIPPED_ALERT):] if detail.startswith(SKIPPED_ALERT) else "")
    return ALERT_ONLY, f"{ALERT_ONLY}: {words}" if words else ""


def outcome_word(status: str, acted: Optional[bool]) -> str:
    """An action's outcome word: NOTHING_TO_DO for a done command none of whose trading calls
    was answered (the account or contract was already flat: acted False), else its status
    ('done', 'failed', ...). Each screen adds its detail after it (history: 'nothing to do:
    account 1002 was already flat')."""
    return NOTHING_TO_DO if status == DONE and acted is False else status


# an action not finished, one word for one state on every screen (LAST ACTIONS of `status`
# and `watch`, `history`, `riskctl flatten`; trial19b finding 5: one held close read
# `pending` in status, `accepted` in watch and "planned, not done yet (running)" in history)
ACCEPTED = "accepted"                    # enforcement has it (received or running): not done
PENDING = "pending"                      # not at enforcement: it is not running (risk keeps it)
WAITS_MARKET = "waits: market closed"    # enforcement holds it until the market opens
# queued in enforcement's lane behind another command of its account (one of its contract, a
# flatten): not at the broker; the words under it say behind what (waiting_words)
WAITING = "waiting"
# left unfinished by an enforcement that ended, held by the one that resumes it until risk
# sends it again or withdraws it (at most 5 s): nothing sent yet, not even a read (resume25:
# it read "accepted", as if at work)
HELD_FOR_RISK = "held: waiting for risk"


def unfinished(state: str, detail: str = "", waits_for: str = "") -> tuple[str, str]:
    """(status, waits_for) of an action not final, from enforcement's journal state
    (received, running, pending) or its live result ('accepted', waits_for): received and
    running are 'accepted'; the journal's pending is a close held until the market opens
    (waits_for MARKET_OPEN), unless it is the screens' own entry for an action decided while
    enforcement is not running (shared/actedby.py WAITS): 'pending'; a restarted enforcement's
    command held until risk has its say (HELD): HELD_FOR_RISK."""
    if state == PENDING:
        return (PENDING, "") if detail == WAITS else (ACCEPTED, MARKET_OPEN)
    if state == HELD:
        return HELD_FOR_RISK, ""
    if state in ("received", "running", ACCEPTED):
        return ACCEPTED, waits_for
    return state, waits_for


def progress_word(status: str, waits_for: str = "", waits_behind: str = "") -> str:
    """The word of an action not final (unfinished's status and waits_for): 'accepted',
    'waiting' (queued in enforcement's lane behind another command: waits_behind, the
    result's or journal state's words), 'waits: market closed' (held for the market:
    'accepted' read as done, second trial 2026-12-06), 'pending' (enforcement not running)."""
    if status == ACCEPTED and waits_behind:
        return WAITING
    if status == ACCEPTED and waits_for == MARKET_OPEN:
        return WAITS_MARKET
    return status


def waiting_words(waits_behind: str) -> str:
    """What an action queued in enforcement's lane waits for, as every screen says it
    ('waiting behind riskd's close of MNQ (held at the broker since Mon 08:15:02 CST)': the
    words are enforcement's, services/enforcement/behind.py); '' when it does not wait."""
    return f"waiting behind {waits_behind}" if waits_behind else ""


def at_broker_words(sent: str) -> str:
    """An action running whose trading call is out at the broker with no answer yet (sent:
    when it went out, as the screen shows a time): 'held at the broker since Mon 08:15:02
    CST, no answer yet', the words an action queued behind it gives it (services/enforcement/
    behind.py); '' when none is out. Queue20's leftover: that close read 'accepted' in
    history; trial20c section 6: LAST ACTIONS' 'accepted' read as the broker's."""
    return f"held at the broker since {sent}, no answer yet" if sent else ""


def who_acted(rule: str, by: str = "") -> str:
    """Who acted, as history's WHO says it: risk's own words when it gave them ('admin:root',
    'lockout enforcement', 'trader (self-lockout)', 'the admin (admin lockout)', 'rule
    max_contracts'), else from the
    decision's rule."""
    if by:
        return by
    if rule in _NOT_A_RULE:
        return _NOT_A_RULE[rule]
    return f"{RULE}{rule}" if rule else ""


def note_who(rule: str) -> str:
    """History's WHO of a note of risk's (a RuleWarning): 'riskd (late close)', 'trader (after
    riskd's close)'; 'warning: rule max_contracts' for a rule's warning."""
    return _NOT_A_RULE[rule] if rule in _NOTES else f"warning: rule {rule}"


def acted_cell(rule: str, by: str = "") -> str:
    """who_acted() in a column headed 'rule' (watch's LAST ACTIONS): 'max_contracts' for a
    rule (the header says rule), 'lockout enforcement', 'admin:root' for the others."""
    words = who_acted(rule, by)
    return words[len(RULE):] if words.startswith(RULE) else words


# contracts a close or reduce of riskd's closed beyond what it was asked that lockout
# enforcement left to it (its cuts of contracts bought while the account was locked)
BOUGHT_WHILE_LOCKED = "bought while locked (lockout enforcement)"
# enforcement's words for a cut that closed more than risk asked (reduce_position.reduced):
# "closed 6, 4 more than asked", "(6 contracts: 4 more than asked"
_MORE_THAN_ASKED = re.compile(r"(?:closed \d+, |\d+ contracts?: )?(\d+) more than asked")
# the same, with how many it closed: "closed 6, 4 more than asked" -> 6, 4
_CLOSED_MORE = re.compile(r"(\d+)(?:, | contracts?: )(\d+) more than asked")
# the command a decision recorded as LEFT_TO_ONE_IN_FLIGHT names at its end: "(d42.1)"
_LEFT_TO_ID = re.compile(r"\(([^()\s]+\.\d+)\)$")


def left_to(suppressed: str) -> Optional[str]:
    """The command id of riskd's cut in flight that lockout enforcement left its cut of
    contracts bought while locked to (Decision.suppressed "left to riskd's cut in flight,
    which cuts MNQ down to 5 (d42.1)"); None for any other decision."""
    if not (suppressed or "").startswith(LEFT_TO_ONE_IN_FLIGHT):
        return None
    m = _LEFT_TO_ID.search(suppressed)
    return m.group(1) if m else None


def more_than_asked(detail: str) -> str:
    """Enforcement's words that its cut closed more than asked ("closed 6, 4 more than
    asked"), '' when it did not."""
    m = _MORE_THAN_ASKED.search(detail or "")
    return m.group(0).lstrip("(") if m else ""


def bought_while_locked(status: str, detail: str, sizes: Iterable[Optional[int]],
                        own: bool = False, own_size: Optional[int] = None) -> str:
    """'4 of the 6 closed were bought while locked (lockout enforcement)': of the contracts a
    done close or reduce closed (enforcement's detail says how many, and how many beyond what
    it was asked), those bought while locked: lockout enforcement's cuts left to it (sizes,
    None for a close of the whole growth) and, for lockout enforcement's own cut (own), what
    it was asked (own_size) too; never more than it closed, and for a rule's cut never more
    than it closed beyond its count (what it was asked grew before the lock: risk sees a
    lockout first); '' when none. One wording for history's line of that cut, LAST ACTIONS
    under its row and its "✅ Done" alert (trial13a: MNQ 11 -> 5 in one max_contracts reduce,
    6 closed, 4 of them bought after the lock started; trial14a: "2 of them" for a burst whose
    lock-starting buy was counted, "1 of them" where 2 of 2 were)."""
    sizes = list(sizes) + ([own_size] if own else [])
    m = _CLOSED_MORE.search(detail or "")
    if m is None or not sizes or status != DONE:
        return ""
    if any(n is None for n in sizes):           # a close's: the whole growth went with it
        return f"with them, contracts {BOUGHT_WHILE_LOCKED}"
    closed, extra = int(m.group(1)), int(m.group(2))
    n = min(closed if own else extra, sum(sizes))
    if not n:
        return ""
    return f"{n} of the {closed} closed {'was' if n == 1 else 'were'} {BOUGHT_WHILE_LOCKED}"


def left_to_cut(who: str) -> str:
    """LAST ACTIONS' outcome of lockout enforcement's cut that riskd's cut in flight took
    with it (no second close was sent): 'left to max_contracts' (who: that cut's rule column,
    acted_cell), 'left to its cut in flight' when that cut is lockout enforcement's own;
    never 'not sent', which read as if what was bought while locked was kept."""
    if who == _NOT_A_RULE[LOCKOUT_RULE]:
        return "left to its cut in flight"
    return f"left to {who or 'a cut in flight'}"
