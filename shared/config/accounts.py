"""[[accounts]] and [profiles.<name>]: which broker accounts riskd guards, with which rules.

A profile is a named full rule set (`[profiles.<name>.rules.<rule>]`; a rule not written
keeps its default (docs/rules.md)). An account names its profile and may override single
parameters (`[accounts.rules.<rule>]`, e.g. `limit = 300`); overrides are kept as plain
TOML data here and validated against the profile by shared.config.checks, which also
gives each account its effective rules. An account the broker reports but the config
does not list is guarded with the "default" profile.
"""
from __future__ import annotations

from typing import Any, Optional

import attrs

from shared.config.rules import RulesConfig
from shared.config.validators import FieldError

DEFAULT_PROFILE = "default"


@attrs.frozen(kw_only=True)
class ProfileConfig:
    description: str = ""
    rules: RulesConfig = attrs.Factory(RulesConfig)


def default_profiles() -> dict[str, ProfileConfig]:
    return {DEFAULT_PROFILE: ProfileConfig(description="docs/rules.md defaults")}


@attrs.frozen(kw_only=True)
class AccountConfig:
    """One guarded broker account, found by its id or its name (at least one)."""
    id: Optional[int] = None          # the broker's account id
    name: str = ""                    # the broker's account name, e.g. "50KTC-V2-123456-789"
    display_name: str = ""
    enabled: bool = True              # false: riskd does not guard this account (admin only)
    profile: str = DEFAULT_PROFILE
    # per-rule parameter overrides over the profile; checked by shared.config.checks
    rules: dict[str, dict[str, Any]] = attrs.Factory(dict)

    def __attrs_post_init__(self) -> None:
        if self.id is None and not self.name:
            raise FieldError("id", "expected the broker account id (id = 1234) or its name "
                             "(name = \"...\"), got neither")

    @property
    def key(self) -> str:
        """How people and commands name this account: its name, else its id."""
        return self.name or str(self.id)

    @property
    def label(self) -> str:
        return self.display_name or self.key

    def matches(self, ref: str | int) -> bool:
        """True when ref is this account's id, name or display name."""
        text = str(ref)
        return text in (str(self.id) if self.id is not None else "", self.name,
                        self.display_name) and text != ""

    def matches_any_case(self, ref: str | int) -> bool:
        """matches(), ignoring case: two accounts' names must differ by more than case."""
        text = str(ref).casefold()
        return text != "" and text in (str(self.id) if self.id is not None else "",
                                       (self.name or "").casefold(),
                                       (self.display_name or "").casefold())


def find_account(accounts, ref: str | int) -> AccountConfig | None:
    """The one configured account ref names (its id, name or display name), None when none
    does; AmbiguousAccount when ref names two (fresh-user trial 15b: two accounts called "Demo
    1", and `flatten "Demo 1"` flattened one of them without a word). The config check refuses
    a new display name another account already has (checks.new_duplicate_names), but a file
    that had two before round 15 runs with them, warned (checks.duplicate_name_problems): such
    a name is refused here, and so is one of two names that differ only by case ("demo 1"
    beside "Demo 1": one name to a reader, fresh-user trial 15c). An int ref is a broker
    account id, riskd's own lookup: the entry with that id, never ambiguous."""
    if isinstance(ref, int):
        for account in accounts:
            if account.id == ref:
                return account
    found = [account for account in accounts if account.matches(ref)]
    text = str(ref).casefold()
    if len(found) == 1 and text:
        # a display name that differs from the one found only by case names another account
        # too (two broker names that differ by case are two accounts, as the broker says)
        found += [a for a in accounts if a is not found[0] and a.matches_any_case(ref)
                  and text in ((a.display_name or "").casefold(),
                               (found[0].display_name or "").casefold())]
    elif not found and text:
        # no account goes by ref as typed, two by it ignoring case ("demo 1" beside two
        # "Demo 1"): the same refusal (trial16g: "risk does not know account 'demo 1'
        # (known: Demo 1 (id 1001), Demo 1 (id 1002))"); one such account stays unnamed
        either = [a for a in accounts if a.matches_any_case(ref)]
        found = either if len(either) > 1 else []
    if len(found) > 1:
        raise AmbiguousAccount(str(ref), [(a.label, a.id) for a in accounts if a in found])
    return found[0] if found else None


def accounts_in_rows(rows) -> list[AccountConfig]:
    """The [[accounts]] rows of a config file read leniently (plain or tomlkit tables) as
    AccountConfig, for find_account: a command that reads the file itself (`riskctl logs`,
    `sim`, a config edit) resolves a name as riskd does, one way (a name two accounts go by is
    refused the same way everywhere: docs/operations.md, Account names). A row with neither
    an id nor a name is left out."""
    out = []
    if rows is None or isinstance(rows, (str, bytes)) or hasattr(rows, "keys"):
        rows = []
    for row in rows:
        if not hasattr(row, "get"):
            continue
        aid = row.get("id")
        aid = int(aid) if isinstance(aid, int) and not isinstance(aid, bool) else None
        name, shown = row.get("name"), row.get("display_name")
        try:
            out.append(AccountConfig(id=aid, name=str(name) if name is not None else "",
                                     display_name=str(shown) if shown is not None else ""))
        except FieldError:
            continue
    return out


def find_account_quietly(accounts, ref: str | int) -> AccountConfig | None:
    """find_account for riskd's own look-ups (a screen, a chat's scope): None for a name two
    accounts go by, never an exception a worker would crash on."""
    try:
        return find_account(accounts, ref)
    except AmbiguousAccount:
        return None


def config_entry(accounts, account_id: int, broker_name: str = "") -> AccountConfig | None:
    """The [[accounts]] entry of a broker account: by its id, else by its broker name (an
    entry's `name` first, then any name it goes by); None when none, or when only a name two
    entries go by matches (a file with duplicate names runs, warned)."""
    found = find_account(accounts, account_id)
    if found is None and broker_name:
        found = next((a for a in accounts if a.name == broker_name), None) \
            or find_account_quietly(accounts, broker_name)
    return found


class AmbiguousAccount(ValueError):
    """A name that matches more than one account: refused, listing them by name and id."""

    def __init__(self, ref: str, accounts: list[tuple[str, Optional[int]]]):
        from shared.accountname import called
        self.ref = ref
        self.ids = [aid for _, aid in accounts]
        names = ", ".join(called(label, aid) for label, aid in accounts)
        super().__init__(f"{ref!r} names more than one account ({names}): give the "
                         f"account's id")


def one_of(ref: str, candidates: list[tuple[str, Optional[int]]]) -> Optional[int]:
    """The one id among candidates (label, id), each an account ref matched by some way of
    naming it (the config's names, the broker's); None for none; AmbiguousAccount when ref
    matches two different accounts (a display name that is another account's broker name)."""
    seen: dict = {}
    for label, aid in candidates:
        seen.setdefault(aid, label)
    if len(seen) > 1:
        raise AmbiguousAccount(ref, [(label, aid) for aid, label in seen.items()])
    return next(iter(seen), None)
