"""One event, one set of words on every screen: how an action's outcome and who acted read in
`riskctl history`, `riskctl watch` / `status` (LAST ACTIONS), `riskctl flatten` and the
phone's /history.

Trial 2026-12-06: the same flatten read "nothing to do" in `flatten --all` and watch but
"done: ... was already flat" in history; watch's rule column said "lockout" and "admin" where
history said "lockout enforcement" and "admin:root". The screens now take these words from here.
"""
from __future__ import annotations

from typing import Optional

from shared.plural import plural

NOTHING_TO_DO = "nothing to do"       # a done command that made no trading call
DONE = "done"

# who acted, for what risk decides without a rule's limit (risk's Decision.by)
SELF_LOCK = "self_lockout"
LOCKOUT_RULE = "lockout"
ADMIN = "admin"
_NOT_A_RULE = {SELF_LOCK: "trader (self-lockout)", ADMIN: "admin",
               LOCKOUT_RULE: "lockout enforcement"}
RULE = "rule "


def contracts(n: int) -> str:
    """'1 contract', '2 contracts' (shared/plural.py)."""
    return plural(n, "contract")


def from_to(before, after: int) -> str:
    """'from 2 contracts to 1' (trial14a: "from 2 to 1 contracts"); 'to 1 contract' when the
    size before is not known."""
    if isinstance(before, int):
        return f"from {contracts(before)} to {after}"
    return f"to {contracts(after)}"


def outcome_word(status: str, acted: Optional[bool]) -> str:
    """An action's outcome word: NOTHING_TO_DO for a done command none of whose trading calls
    was answered (the account or contract was already flat: acted False), else its status
    ('done', 'failed', ...). Each screen adds its detail after it (history: 'nothing to do:
    account 1002 was already flat')."""
    return NOTHING_TO_DO if status == DONE and acted is False else status


def who_acted(rule: str, by: str = "") -> str:
    """Who acted, as history's WHO says it: risk's own words when it gave them ('admin:root',
    'lockout enforcement', 'trader (self-lockout)', 'rule max_contracts'), else from the
    decision's rule."""
    if by:
        return by
    if rule in _NOT_A_RULE:
        return _NOT_A_RULE[rule]
    return f"{RULE}{rule}" if rule else ""


def acted_cell(rule: str, by: str = "") -> str:
    """who_acted() in a column headed 'rule' (watch's LAST ACTIONS): 'max_contracts' for a
    rule (the header says rule), 'lockout enforcement', 'admin:root' for the others."""
    words = who_acted(rule, by)
    return words[len(RULE):] if words.startswith(RULE) else words
