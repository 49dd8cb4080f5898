"""How alerts name an account: one name for the title and every line of the body.

An alert's title and body must name an account the same way (a title saying "Demo 1" above
a body saying "account 1001" leaves the trader guessing whether they are one account). The
name is the configured label ([[accounts]] display_name, else name, else id: AccountConfig
.label); an account the config does not list goes by the broker's name when the caller knows
it, else its id. with_id adds the id once, where it helps (finding the account on the broker's
own platform, or in `riskctl logs --account ID`).
"""
from __future__ import annotations

from typing import Iterable, Optional

from shared.config.accounts import find_account


def account_name(accounts: Iterable, account_id: Optional[int], broker_name: str = "") -> str:
    """The account's name in alerts: its configured label, else the broker's name, else its id."""
    found = find_account(accounts, account_id) if account_id is not None else None
    if found is None and broker_name:
        found = find_account(accounts, broker_name)
    if found is not None:
        return found.label
    return broker_name or ("" if account_id is None else str(account_id))


def with_id(name: str, account_id: Optional[int]) -> str:
    """'Demo 1 (id 1001)': the name with the id once ('1001' alone when the name is the id)."""
    if account_id is None or name == str(account_id):
        return name
    return f"{name} (id {account_id})"
