"""How riskd names an account to a person: one way, in every riskctl answer, screen and alert.

An alert's title and body must name an account the same way (a title saying "Demo 1" above
a body saying "account 1001" leaves the trader guessing whether they are one account). The
name is the configured label ([[accounts]] display_name, else name, else id: AccountConfig
.label); an account the config does not list goes by the broker's name when the caller knows
it, else its id; the id is said once beside it (finding the account on the broker's own
platform, or in `riskctl logs --account ID`).

called() is that one way: "Demo 1 (id 1001)", "Demo 2 (strict, id 1002)", for titles,
bodies, screens and answers alike (docs/operations.md, Account names). account_name() and named() give the bare name, for
matching what a person typed and as a key; never show it without called(). The screens
(riskctl status, watch, positions, orders, history, lockouts) get the names from labels() of
the supervisor's live config in every status reply (cli/accountnames.py only asks for them),
so a display_name change shows on the next refresh.
"""
from __future__ import annotations

from typing import Iterable, Optional


def account_name(accounts: Iterable, account_id: Optional[int], broker_name: str = "") -> str:
    """The account's bare name: its configured label, else the broker's name, else its id (shown
    to a person only through called(): account_called)."""
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
    """The name from labels(): the id's label, else the broker name's, else that name, else the
    id. A label that is only the id (an [[accounts]] entry with neither display_name nor name,
    as `riskctl accounts add 1004` writes it) gives way to the broker's name: display_name,
    else name, else the broker's name, else the id (docs/operations.md, Account names;
    trial17b: "1004" on every screen and alert while `accounts list` showed SIM-DEMO-4)."""
    found = names.get(str(account_id)) if account_id is not None else None
    if found is None and broker_name:
        found = names.get(broker_name)
    if found is not None and not (broker_name and account_id is not None
                                  and found == str(account_id)):
        return found
    return broker_name or ("" if account_id is None else str(account_id))


def called(name: str, account_id: Optional[int]) -> str:
    """THE way riskd names an account to a person, in every riskctl answer, screen and alert:
    'Demo 1 (id 1001)' (name: the configured label, else the broker's name; the id once, for
    finding the account on the broker's platform and in `riskctl logs --account ID`); '1001'
    alone when the name is the id; 'Demo 2 (strict, id 1002)' for a name that ends in a
    bracket itself (never 'Demo 2 (strict) (id 1002)': trial 2026-12-05; and no comma outside
    a bracket, so names listed with commas stay apart). Trial 2026-12-06: one session read
    "SIM-DEMO-1 (1001)", "1002 max_contracts.limit: saved", "Demo 1 (id 1001)" and "Demo 2
    (strict)" for the same two accounts."""
    if account_id is None or name == str(account_id) or not name:
        return name or ("" if account_id is None else str(account_id))
    name = name.rstrip()
    if name.endswith(")"):
        return f"{name[:-1]}, id {account_id})"
    return f"{name} (id {account_id})"


def uncalled(shown: str, account_id: Optional[int]) -> str:
    """The name inside called(name, account_id): 'Demo 2 (strict)' for 'Demo 2 (strict, id
    1002)' (a text riskd wrote about the account, matched by either)."""
    if account_id is None:
        return shown
    for tail, keep in ((f" (id {account_id})", ""), (f", id {account_id})", ")")):
        if shown.endswith(tail):
            return shown[:-len(tail)] + keep
    return shown


def account_called(accounts: Iterable, account_id: Optional[int], broker_name: str = "") -> str:
    """called() of the account's name by the config (account_name): 'Demo 1 (id 1001)'."""
    return called(account_name(accounts, account_id, broker_name), account_id)


class Caller:
    """account_called over a config's accounts, their labels() made once per accounts list
    (a reloaded config brings a new one, read anew): labels() walks every account, ~0.09 ms
    for 43 accounts and ~0.9 ms for 500, which enforcement paid on every command before
    handing it to a pool thread (issue 21)."""

    def __init__(self) -> None:
        self._of: Optional[object] = None      # the accounts list the labels were made of
        self._labels: dict[str, str] = {}

    def __call__(self, accounts: Iterable, account_id: Optional[int],
                 broker_name: str = "") -> str:
        if accounts is not self._of:
            self._labels, self._of = labels(accounts), accounts
        return called(named(self._labels, account_id, broker_name), account_id)


def label_of(display_name, name, account_id) -> str:
    """An account's label as the config gives it: display_name, else name, else id ('' when
    none is set): AccountConfig.label, and riskctl's lenient read of the file."""
    return next((str(r) for r in (display_name, name, account_id)
                 if r is not None and str(r) != ""), "")


def listed(entries: Iterable) -> str:
    """The [[accounts]] entries of a config (tables as read from the file), each as riskd names
    it: "Demo 1 (id 1001), Demo 2 (strict, id 1002)" ('none' without any). An edit's refusal of
    a name no account has lists them so (fresh-user trial 13b: `rules set 9999 ...` said
    "accounts: SIM-DEMO-1, SIM-DEMO-2", without the ids other commands show)."""
    out = []
    for e in entries:
        aid = e.get("id")
        aid = aid if isinstance(aid, int) and not isinstance(aid, bool) else None
        out.append(called(label_of(e.get("display_name"), e.get("name"), aid), aid))
    return ", ".join(x for x in out if x) or "none"
