"""An account an admin disabled, in one set of words for every screen and the phone.

Trial 2026-12-06: with Demo 2 disabled (`riskctl accounts disable 1002 --now`) the status
header said "guarded now", Demo 2 "LOCKED OUT" and "RULES no readings from risk yet", the
phone "🟢 guarded now" and "🔒 account locked", while risk enforced nothing on it. Risk says
why it does not guard an account (AccountStatus.not_guarded, LockoutList.not_guarded:
"disabled by admin:root at Sat 18:33:27 CST (trial disable 2)"); these helpers say it:

- the header: "guarded now except Demo 2 (strict): disabled by admin:root ..." (the
  supervisor's reasons, a worker not running, still come first: then nothing is guarded);
- the account: "NOT GUARDED: disabled by ..."; its lockouts: "NOT ENFORCED while the account
  is disabled";
- a configured account the broker does not report for this login (a mistyped id: trial
  2026-12-06, `accounts add 1003`): "guarded now except 1003: the broker does not report this
  account for this login".
"""
from __future__ import annotations

from typing import Callable, Iterable

from shared import unjudged

NOT_GUARDED = "NOT GUARDED"
NOT_ENFORCED = "NOT ENFORCED while the account is disabled"


def exceptions(accounts: Iterable, name_of: Callable[[int], str]) -> list[str]:
    """'Demo 2 (strict): disabled by admin:root ...' for each account risk does not guard,
    'Demo 1 (id 1001): positions not judged (waiting for ...); trade rules still on' for one
    whose rules on positions wait (AccountStatus.positions_unjudged: shared/unjudged.py)."""
    out = []
    for a in accounts:
        if a is not None and getattr(a, "not_guarded", ""):
            out.append(f"{name_of(a.account_id)}: {a.not_guarded}")
        elif a is not None and getattr(a, "positions_unjudged", ""):
            out.append(f"{name_of(a.account_id)}: {unjudged.line(0, a.positions_unjudged)}")
    return out


UNREPORTED = "the broker does not report this account for this login"


PRICES_NOT_LIVE = "prices NOT live (fills guarded)"


def failed_on(accounts: Iterable, name_of: Callable[[int], str]) -> list[str]:
    """The accounts with an action enforcement gave up on while its reason holds (risk tries
    it again: AccountStatus.failing), named."""
    return [name_of(a.account_id) for a in accounts
            if a is not None and getattr(a, "failing", None)]


def failed_words(names: list[str]) -> str:
    """The guard header while enforcement failed (trial 14a: "guarded now" right above
    " ENFORCEMENT FAILED ... still open on a locked account"): what riskd still does and
    what it did not."""
    return (f"ENFORCEMENT FAILED on {', '.join(names)}: riskd checks the rules, but an action "
            f"it decided is not carried out (below)")


def head(unguarded_now: list[str], accounts: Iterable, name_of: Callable[[int], str],
         guarded: str = "guarded now", not_guarded: str = "NOT GUARDED now",
         unreported: Iterable[str] = (), stale: Iterable[str] = (),
         failed: Iterable[str] = ()) -> str:
    """The guard header: 'guarded now', 'guarded now except Demo 2 (strict): disabled by
    admin:root ...', or 'NOT GUARDED now: risk not running' (nothing is guarded then).
    unreported: configured accounts the broker does not report for this login (risk's
    RiskStatusReply.unreported): 'guarded now except 1003: the broker does not report ...'.
    stale: held prices risk found stale (shared/pricewords.stale_lines): never "guarded now"
    then, but 'prices NOT live (fills guarded): MNQ: no price for 1m42s; open PnL as of
    20660.00; price rules run on that price' (fresh-user trial 2026-12-06: the quotes silent,
    status said "guarded now" while the price rules judged a price minutes old).
    failed: accounts with an action enforcement failed (failed_on): never "guarded now" then,
    but failed_words' 'ENFORCEMENT FAILED on Demo 2 (strict, id 1002): riskd checks the rules,
    but an action it decided is not carried out (below)'."""
    if unguarded_now:
        return f"{not_guarded}: " + "; ".join(unguarded_now)
    left_out = exceptions(accounts, name_of) + [f"{u}: {UNREPORTED}" for u in unreported]
    stale, failed = list(stale), list(failed)
    if stale or failed:
        words = "; ".join(x for x in (stale_head(stale) if stale else "",
                                      failed_words(failed) if failed else "") if x)
        return words + "; NOT guarded: " + "; ".join(left_out) if left_out else words
    return f"{guarded} except " + "; ".join(left_out) if left_out else guarded


def stale_head(stale: Iterable[str]) -> str:
    """'prices NOT live (fills guarded): MNQ: no price for ...' (contracts apart with ' | ')."""
    return f"{PRICES_NOT_LIVE}: " + " | ".join(stale)


def account_line(reason: str) -> str:
    """'NOT GUARDED: disabled by admin:root ... ; its lockouts are not enforced'."""
    return f"{NOT_GUARDED}: {reason}; riskd enforces none of its rules or lockouts until an " \
           f"admin enables it"
