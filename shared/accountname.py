"""How alerts name an account: one name for the title and every line of the body.

An alert's title and body must name an account the same way (a title saying "Demo 1" above
a body saying "account 1001" leaves the trader guessing whether they are one account). The
name is the configured label ([[accounts]] display_name, else name, else id: AccountConfig
.label); an account the config does not list goes by the broker's name when the caller knows
it, else its id. with_id adds the id once, where it helps (finding the account on the broker's
own platform, or in `riskctl logs --account ID`).

The screens (riskctl status, watch, positions, orders, history, lockouts) name an account the
same way: the supervisor sends labels() of its live config in every status reply, and
named() reads a name from it, so a display_name change shows on the next refresh. Screens add
the id as on_screen() does: "Demo 1 (1001)" (docs/operations.md, Account names).
"""
from __future__ import annotations

from typing import Iterable, Optional



def account_name(accounts: Iterable, account_id: Optional[int], broker_name: str = "") -> str:
    """The account's name in alerts: its configured label, else the broker's name, else its id."""
    return named(labels(accounts), account_id, broker_name)


def labels(accounts: Iterable) -> dict[str, str]:
    """Every way the config names an account (id, name, display_name) -> its label; the first
    account to claim a ref keeps it (as find_account does)."""
    out: dict[str, str] = {}
    for account in accounts:
        for ref in (account.id, account.name, account.display_name):
            if ref is not None and str(ref) != "":
                out.setdefault(str(ref), account.label)
    return out


def named(names: dict, account_id: Optional[int], broker_name: str = "") -> str:
    """The name from labels(): the id's label, else the broker name's, else that name, else the id."""
    found = names.get(str(account_id)) if account_id is not None else None
    if found is None and broker_name:
        found = names.get(broker_name)
    if found is not None:
        return found
    return broker_name or ("" if account_id is None else str(account_id))


def _id_after(name: str, account_id: int, bracket: str) -> str:
    """The name with its id: in brackets, or ', id 1002' after a name that ends in a bracket
    itself ('Demo 2 (strict), id 1002', never 'Demo 2 (strict) (1002)': trial 2026-12-05)."""
    if name.rstrip().endswith((")", "]")):
        return f"{name}, id {account_id}"
    return f"{name} ({bracket}{account_id})"


def on_screen(name: str, account_id: Optional[int]) -> str:
    """'Demo 1 (1001)': how the screens name an account ('1001' alone when the name is the id;
    'Demo 2 (strict), id 1002' for a name ending in a bracket)."""
    if account_id is None or name == str(account_id):
        return name
    return _id_after(name, account_id, "")


def with_id(name: str, account_id: Optional[int]) -> str:
    """'Demo 1 (id 1001)': the name with the id once ('1001' alone when the name is the id;
    'Demo 2 (strict), id 1002' for a name ending in a bracket)."""
    if account_id is None or name == str(account_id):
        return name
    return _id_after(name, account_id, "id ")
