"""The alert that riskd guards an account the broker added while riskd runs.

Market asks the broker for its accounts at every reconcile and every ACCOUNTS_EVERY (60 s);
one it did not watch before is published for risk, which guards it from its first update
(services/market/app.py _adopt_accounts). Fresh-user trial 17g: only the log said so ("market:
the broker lists 1 account not watched before: [1003]; watching them now"); the phone's first
word about SIM-DEMO-3 was a drawdown warning. Now one alert, the account named as every alert
names it (shared/accountname.py: the config's label, else the broker's name, with the id), and
none for the accounts market lists when it starts (those of riskd's start, or of a market
restarted: they were guarded before, or are part of a start).
"""
from __future__ import annotations

from typing import Iterable, Optional

from shared.accountname import account_called
from shared.config.accounts import config_entry
from shared.messages.notify import NotifyEvent

KIND = "account_guarded"


def guarded_event(accounts: Iterable, account_id: int, broker_name: str,
                  ts_ns: int, every_s: float) -> Optional[NotifyEvent]:
    """'🛡 riskd now guards SIM-DEMO-3 (id 1003): the broker added it while riskd runs'; None
    for an account the config disables (riskd does not guard it). accounts: the config's
    [[accounts]]; every_s: how often market asks the broker for its accounts."""
    accounts = list(accounts)
    entry = config_entry(accounts, account_id, broker_name)
    if entry is not None and not entry.enabled:
        return None
    name = account_called(accounts, account_id, broker_name)
    rules = ("the config lists it: it runs the rules the config gives it" if entry is not None
             else f"the config does not list it: it runs the rules of the default profile "
                  f"(`riskctl rules list {account_id}` shows them)")
    return NotifyEvent(
        kind=KIND, severity="warning",
        title=f"🛡 riskd now guards {name}: the broker added it while riskd runs",
        lines=[f"the broker listed it at riskd's check of its accounts (every {every_s:g} s); "
               f"riskd guards it from now on", rules],
        account=name, ts_ns=ts_ns, account_id=account_id)
