"""Edits of [[accounts]]: add one, enable/disable one, set its display name or profile.

Each is a change(doc) run through shared.config.edit.edit_config, the one edit path (tomlkit
so comments survive, the whole new file validated, a backup, an atomic write): an unknown
profile or a duplicate account is refused by validation or here, with the file untouched.
Accounts are named by id, broker name or display name (AccountConfig.matches).
Disabling only changes the file: the risk worker keeps guarding the account until the next
trading-day roll (loosening waits, services/risk/settings.py) unless an admin overrides.
"""
from __future__ import annotations

from shared.accountname import listed
from shared.config.edit import EditError, EditResult, edit_config, refuse_ambiguous, set_key

SETTABLE = ("display_name", "profile")


def _names(entry) -> tuple[str, ...]:
    return tuple(str(entry[k]) for k in ("id", "name", "display_name") if entry.get(k, "") != "")


def account_index(doc, ref: str) -> int:
    """The index in doc's [[accounts]] of the one account named ref; EditError otherwise."""
    accounts = list(doc.get("accounts", []))
    text = (ref or "").strip()
    refuse_ambiguous(accounts, text)
    found = [i for i, entry in enumerate(accounts) if text and text in _names(entry)]
    if len(found) == 1:
        return found[0]
    if found:
        raise EditError(f"{ref!r} names more than one account "
                        f"({listed([accounts[i] for i in found])}): give the account's id")
    known = listed(accounts)
    raise EditError(f"no configured account {ref!r}; configured: {known} "
                    f"(riskctl accounts add to add one)")


def add_account(path: str, ref: str, backup_dir: str, *, name: str = "", display_name: str = "",
                profile: str = "", **kw) -> EditResult:
    """`riskctl accounts add ID_OR_NAME`: ref all digits is the broker id, else its name."""
    ref = (ref or "").strip()
    if not ref:
        raise EditError("expected an account id or name, got nothing")

    def change(doc):
        import tomlkit    # lazy: docs/performance.md, "Memory"
        from tomlkit.items import AoT
        entry = tomlkit.table()
        if ref.isdigit():
            entry["id"] = int(ref)
            if name:
                entry["name"] = name
        else:
            if name and name != ref:
                raise EditError(f"{ref!r} is already the account's name; --name goes with an id")
            entry["name"] = ref
        for key in ("id", "name"):
            if key in entry:
                for existing in doc.get("accounts", []):
                    if str(entry[key]) in _names(existing):
                        raise EditError(f"account {entry[key]} is already configured")
        if display_name:
            entry["display_name"] = display_name
        entry["enabled"] = True
        if profile:
            entry["profile"] = profile
        accounts = doc.get("accounts")
        if accounts is None:
            doc.append("accounts", AoT([entry]))
        elif isinstance(accounts, AoT):
            accounts.append(entry)
        else:
            raise EditError("accounts is not written as [[accounts]] tables; edit the file")
    return edit_config(path, change, backup_dir, **kw)


def set_account_enabled(path: str, ref: str, enabled: bool, backup_dir: str, **kw) -> EditResult:
    """`riskctl accounts enable|disable ACCOUNT`."""
    def change(doc):
        set_key(doc, f"accounts[{account_index(doc, ref)}].enabled", enabled)
    return edit_config(path, change, backup_dir, **kw)


def set_account_field(path: str, ref: str, key: str, value: str, backup_dir: str,
                      **kw) -> EditResult:
    """`riskctl accounts set ACCOUNT display_name|profile VALUE`."""
    if key not in SETTABLE:
        raise EditError(f"expected one of {', '.join(SETTABLE)}, got {key!r} (rule parameters: "
                        f"riskctl rules set ACCOUNT RULE PARAM VALUE; enabled: riskctl accounts "
                        f"enable|disable)")

    def change(doc):
        set_key(doc, f"accounts[{account_index(doc, ref)}].{key}", value)
    return edit_config(path, change, backup_dir, **kw)
