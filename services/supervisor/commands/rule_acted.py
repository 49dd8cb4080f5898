"""What a rule edit in force now did at once, for the edit's answer (riskctl and the audit).

Tightening is instant (docs/rules.md): the new setting judges what the account holds at once,
and may reduce or flatten it right away (services/risk/rejudge.py). `rules set 1001
max_contracts limit 2` answered only "applied live on Demo 1" while risk reduced MNQ by 2 that
second (fresh-user trial 2026-12-06). Once risk shows the edit applied, the supervisor reads
the decisions of that rule risk made since the edit (its history) and the answer names each:
"acted at once on Demo 1: reduce MNQ by 2 (sent now; `riskctl history` shows its outcome)",
or that nothing held breaks the new setting. Pure: the decisions are risk's HistoryReply.

"Nothing held breaks it" is true only of that moment: trial14b, `rules set 1002
daily_unrealized_loss limit 1` holding MNQ answered "no action", and 0.6 s later the rule
closed it at "-1.00 vs -1.00". The preview (services/risk/preview.py) and the rule are one
piece of code (a copy of risk's engine runs the rule itself), and the sim's prices show MNQ
at +0.50 open when the edit applied and -1.00 0.6 s later: the price moved. So the answer
now names the rule's own reading at the edit (risk's RulesReply: the same measure the rule
judges) against the new limit, and that the rule acts the moment it is reached.
"""
from __future__ import annotations

from typing import Optional

import attrs

from shared.accountname import called, named
from shared.lockwords import listed_lock, lock_end_words, nothing_held_words
from shared.rulenumbers import line_word, next_trade_words, reading_text, versus_text
from shared.symbols import tickers_in

NOTHING = "nothing held breaks it now: no action"
FROM_NOW = "the rule acts the moment the account reaches it"


def edited_window(r, param: str):
    """The reading an edit of `param` is answered with: a rule counting in several windows
    (RuleValue.windows) answers with the edited window's count ('per_session',
    'per_session_cooldown': the session's; trial22c: `per_session 40` answered with the
    hour's), else the row's own reading."""
    key = param.removeprefix("per_").removesuffix("_cooldown")
    for w in getattr(r, "windows", None) or ():
        if w.key == key:
            return attrs.evolve(r, value=w.value, limit=w.limit, detail=w.detail)
    return r


def nothing_line(rule: str, applied_on: set, readings: Optional[list],
                 labels: Optional[dict] = None, param: str = "") -> str:
    """NOTHING, with each account's reading of the rule now against its new limit (risk's
    measure, the one the rule judges): 'nothing held breaks it now: no action (Demo 2 (id
    1002): MNQ open PnL 0.50, limit -1.00); the rule acts the moment the account reaches it'.
    A trade count already at its limit (an edit of its cooldown) says what its row says, what
    the next trade does (trial22c: "3 of 3 trades per minute); the rule acts the moment the
    account reaches it")."""
    now, below = [], False
    for acct in readings or ():
        if acct.account_id not in applied_on:
            continue
        for r in acct.rules:
            if r.rule != rule or r.value is None:
                continue
            r = edited_window(r, param)
            # an account the config does not list goes by the broker's name, as in the
            # answer's other lines (trial 21b: "1003: 0 of 2 contracts" beside "SIM-DEMO-3
            # (id 1003)")
            who = called(named(labels or {}, acct.account_id, getattr(acct, "name", "")),
                         acct.account_id)
            detail = (r.detail or "").split("; ")[0]
            limit = reading_text(rule, r.limit)
            # a reading that names its limit already is said once (trial 21a section 7:
            # "realized -407.96 of -500.00, limit -500.00")
            said = (detail if detail and limit in detail else
                    f"{detail}, {line_word(rule)} {limit}"
                    if detail else versus_text(rule, r.value, r.limit))
            reached = next_trade_words(rule, r.value, r.limit, detail, r.params)
            below = below or not reached
            now.append(f"{who}: {tickers_in(said)}" + (f", {reached}" if reached else ""))
    if not now:
        return NOTHING
    return f"{NOTHING} ({'; '.join(now)})" + (f"; {FROM_NOW}" if below else "")


def acted_lines(rule: str, decisions: list, since_ns: int, applied_on: set,
                labels: Optional[dict] = None, readings: Optional[list] = None,
                param: str = "") -> list[str]:
    """One line per decision of `rule` made at or after since_ns on an account in applied_on
    (ids of the accounts the edit applies to now); nothing_line when there is none
    (readings: risk's RulesReply accounts read once the edit was applied; param: the edited
    parameter)."""
    mine = [d for d in decisions
            if d.rule == rule and d.ts_ns >= since_ns and d.account_id in applied_on]
    lines = []
    for d in mine:
        if _said_with_another(d, mine):
            continue
        who = called(named(labels or {}, d.account_id), d.account_id)
        what = tickers_in(d.what or d.action)
        if d.suppressed:
            lines.append(f"breached at once on {who}, not acted on: {tickers_in(d.suppressed)}")
        elif listed_lock(d) and d.mode != "alert":
            # nothing sent: the symbol is locked, nothing held in it (trial17g: "lock CL on
            # the account (manual) (sent now; ...)" with no word that nothing was closed)
            lines.append(f"acted at once on {who}: {d.lock.symbol} is locked now, "
                         f"{lock_end_words(d.lock)}; {nothing_held_words(d.lock.symbol)}")
        elif d.mode == "alert":
            lines.append(f"breached at once on {who} (the rule only alerts): {what}")
        else:
            lines.append(f"acted at once on {who}: {what} (sent now; `riskctl history` "
                         f"shows its outcome)")
    return lines or [nothing_line(rule, applied_on, readings, labels, param)]


def _said_with_another(d, mine: list) -> bool:
    """A lock-only decision whose lock another decision of the same account says too (trial15c:
    symbol_blocks listing MES while it was held answered "lock MES on the account (manual)",
    then "close the MES position ...; lock MES on the account (manual)": the lock twice)."""
    if d.action != "none" or d.suppressed or d.mode == "alert" or not d.what:
        return False
    return any(o is not d and o.account_id == d.account_id and o.action != "none"
               and (o.what or "").endswith(f"; {d.what}") for o in mine)
