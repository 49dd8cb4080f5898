"""What a rule edit in force now did at once, for the edit's answer (riskctl and the audit).

Tightening is instant (docs/rules.md): the new setting judges what the account holds at once,
and may reduce or flatten it right away (services/risk/rejudge.py). `rules set 1001
max_contracts limit 2` answered only "applied live on Demo 1" while risk reduced MNQ by 2 that
second (fresh-user trial 2026-12-06). Once risk shows the edit applied, the supervisor reads
the decisions of that rule risk made since the edit (its history) and the answer names each:
"acted at once on Demo 1: reduce MNQ by 2 (sent now; `riskctl history` shows its outcome)",
or that nothing held breaks the new setting. Pure: the decisions are risk's HistoryReply.
"""
from __future__ import annotations

from typing import Optional

from shared.accountname import called, named
from shared.symbols import tickers_in

NOTHING = "nothing held breaks it now: no action"


def acted_lines(rule: str, decisions: list, since_ns: int, applied_on: set,
                labels: Optional[dict] = None) -> list[str]:
    """One line per decision of `rule` made at or after since_ns on an account in applied_on
    (ids of the accounts the edit applies to now); NOTHING when there is none."""
    lines = []
    for d in decisions:
        if d.rule != rule or d.ts_ns < since_ns or d.account_id not in applied_on:
            continue
        who = called(named(labels or {}, d.account_id), d.account_id)
        what = tickers_in(d.what or d.action)
        if d.suppressed:
            lines.append(f"breached at once on {who}, not acted on: {tickers_in(d.suppressed)}")
        elif d.mode == "alert":
            lines.append(f"breached at once on {who} (the rule only alerts): {what}")
        else:
            lines.append(f"acted at once on {who}: {what} (sent now; `riskctl history` "
                         f"shows its outcome)")
    return lines or [NOTHING]
