"""Account messages: riskctl's `accounts list|add|enable|disable|set` and the account table.

The supervisor serves them: AccountsRequest (trader) answers from the running config plus what
the risk worker reports (the accounts the broker lists, whether each is guarded right now and
what waits for the trading-day roll); the edits (admin) change [[accounts]] in the file like
every config edit (validated, backed up, written atomically, applied live) and answer
shared.messages.config.ConfigEdited.
"""
from __future__ import annotations

from typing import Optional

import attrs


@attrs.frozen(kw_only=True)
class AccountsRequest:
    """The configured accounts and the ones the broker reports that the config does not list."""


@attrs.frozen(kw_only=True)
class AccountRow:
    id: Optional[int] = None
    name: str = ""
    display_name: str = ""
    configured: bool = True            # False: the broker reports it, the config does not list it
    enabled: bool = True               # the config's switch (False: not guarded, after the roll)
    profile: str = "default"
    overrides: dict[str, str] = attrs.Factory(dict)    # "rule.param" -> TOML value text
    seen: Optional[bool] = None        # risk knows it from the broker (None: risk did not say)
    guarded: Optional[bool] = None     # risk applies rules to it right now (None: did not say)
    pending: list[str] = attrs.Factory(list)          # loosened settings waiting for the roll
    # overrides ("rule.param") whose value is the profile's own: written, but changing nothing
    as_profile: list[str] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class AccountsTable:
    rows: list[AccountRow] = attrs.Factory(list)
    risk_note: str = ""                # why the risk columns are empty ("" when risk answered)


@attrs.frozen(kw_only=True)
class AccountAdd:
    """Add an account to the config ([[accounts]]; an id when `ref` is all digits, else a name)."""
    ref: str
    name: str = ""                     # the broker's account name (with an id)
    display_name: str = ""
    profile: str = ""                  # "" keeps the default profile


@attrs.frozen(kw_only=True)
class AccountEnable:
    """Enable or disable guarding one configured account (disabling waits for the roll).
    reason: why, as the admin gave it (--reason), kept in the audit trail. now: a disable
    armed to apply at once (`--now`), else it waits for the roll and the answer says so.
    confirmed: an enable that acts at once was confirmed (riskctl asked, or --yes)."""
    account: str
    enabled: bool
    reason: str = ""
    now: bool = False
    # an enable riskd would act on at once (a lockout in force closing what the account opened
    # while disabled, a breach held meanwhile) is answered 'confirm_needed' without it, as a
    # rule edit is (services/supervisor/commands/rule_confirm.py; riskctl --yes sets it)
    confirmed: bool = False
    # how the admin answers if riskd would act at once (shared/editasking.py): 'prompt',
    # 'no terminal', '--yes', 'declined' (answered no: record it, change nothing)
    asking: str = ""


@attrs.frozen(kw_only=True)
class AccountSet:
    """Set display_name or profile of one configured account. A profile switch that loosens a
    rule (at the roll) is answered 'confirm_needed' with what it changes unless confirmed
    (riskctl asked, or --yes), as AccountEnable; asking: as AccountEnable's."""
    account: str
    key: str
    value: str
    reason: str = ""                   # why, as the admin gave it (--reason): the audit trail
    confirmed: bool = False
    asking: str = ""


ALL = (AccountsRequest, AccountRow, AccountsTable, AccountAdd, AccountEnable, AccountSet)
