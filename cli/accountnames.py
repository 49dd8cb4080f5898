"""How riskctl's screens name an account: as alerts do, "Demo 1 (id 1001)" (docs/operations.md,
Account names).

The name is the configured label (display_name, else name, else id) from the supervisor's live
config (its status reply's account_labels, so a `riskctl accounts set ... display_name` shows
on the next refresh), else the broker's name, else the id; shared/accountname.py decides
(called, label_of). This module only asks riskd for what that needs: the labels, and the
broker's names of accounts the config does not list (risk's status). Both are a courtesy: a
slow or silent riskd leaves ids.
"""
from __future__ import annotations

from typing import Callable, Optional

from cli.errors import CliError
from shared.accountname import called, label_of, named
from shared.config.accounts import AmbiguousAccount, accounts_in_rows, find_account
from shared.messages.control import StatusRequest, SupervisorStatus
from shared.messages.risk import LastRiskStatus, RiskStatusReply, RiskStatusRequest

NAMES_TIMEOUT = 1.0

Namer = Callable[[Optional[int], str], str]


def labels_of(ctx) -> dict[str, str]:
    """The supervisor's account_labels ({} when it cannot say)."""
    try:
        reply = ctx.call(StatusRequest(), timeout=NAMES_TIMEOUT, retries=0)
    except CliError:
        return {}
    body = reply.body if reply.ok and isinstance(reply.body, SupervisorStatus) else None
    return dict(body.account_labels) if body is not None else {}


def broker_names(ctx) -> dict[int, str]:
    """id -> the broker's name of each account risk knows (even one the config does not list);
    {} when risk cannot say."""
    return {i: n for i, n in (risk_accounts(ctx) or {}).items() if n}


def risk_accounts(ctx) -> Optional[dict[int, str]]:
    """id -> the broker's name ('' when it has none) of every account risk knows; None when
    risk cannot say (riskd or risk not running)."""
    try:
        reply = ctx.call(RiskStatusRequest(), timeout=NAMES_TIMEOUT, retries=0)
    except CliError:
        return None
    body = reply.body if isinstance(reply.body, (RiskStatusReply, LastRiskStatus)) else None
    return {a.account_id: a.name for a in body.accounts} if body is not None else None


def namer(ctx, with_broker: bool = False) -> Namer:
    """(account_id, broker_name) -> "Demo 1 (id 1001)" (shared/accountname.called).
    with_broker: also ask risk for the broker's names (for rows that carry only an id:
    lockouts, history)."""
    names = labels_of(ctx)
    broker = broker_names(ctx) if with_broker else {}

    def name(account_id: Optional[int], broker_name: str = "") -> str:
        given = broker_name or (broker.get(account_id, "") if account_id is not None else "")
        return called(named(names, account_id, given), account_id)
    return name



def file_called(config_path: str) -> Callable[[str], str]:
    """A ref a person typed (an id, broker name or display name) -> the account as riskd names
    it, "Demo 1 (id 1001)", by the config file's accounts (read leniently, for a screen that
    reads riskd's files: `riskctl audit show`); a ref the file does not list stays as typed."""
    from cli import configfile
    try:
        data = configfile.tables(config_path)
    except OSError:
        data = {}
    rows = data.get("accounts") if isinstance(data, dict) else None
    out: dict[str, str] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        account_id = row.get("id") if isinstance(row.get("id"), int) else None
        shown = called(label_of(row.get("display_name"), row.get("name"), row.get("id")),
                       account_id)
        for ref in (row.get(k) for k in ("id", "name", "display_name")):
            if shown and ref is not None and str(ref) != "":
                out.setdefault(str(ref), shown)
    return lambda ref: out.get(str(ref).strip(), str(ref))


def file_labels(config_path: str) -> dict[str, str]:
    """The labels as the config file names the accounts (shared/accountname.labels), read
    leniently: for when the supervisor, whose live config they normally come from, is gone
    (killed hard while its workers still run). {} when the file cannot be read."""
    from cli import configfile
    try:
        data = configfile.tables(config_path)
    except OSError:
        return {}
    rows = data.get("accounts") if isinstance(data, dict) else None
    out: dict[str, str] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        refs = [row.get(k) for k in ("id", "name", "display_name")]
        label = label_of(row.get("display_name"), row.get("name"), row.get("id"))
        for ref in refs:
            if label and ref is not None and str(ref) != "":
                out.setdefault(str(ref), label)
    return out


def file_namer(config_path: str) -> Namer:
    """namer() from the config file's labels alone, for a screen that reads riskd's files
    while no riskd answers (`riskctl history` with riskd stopped): "Demo 1 (id 1001)"."""
    names = file_labels(config_path)

    def name(account_id: Optional[int], broker_name: str = "") -> str:
        return called(named(names, account_id, broker_name), account_id)
    return name


def file_ids(config_path: str) -> dict[str, int]:
    """Every name the config file gives an account (name, display_name, id) -> its id, read
    leniently ({} when the file cannot be read): rows keyed by a configured name ('account:
    SIM-DEMO-1', `riskctl rules list`) are named as screens name them even while risk, which
    knows the broker's names, is stopped (trial 2026-12-05: 'account:SIM-DEMO-1')."""
    from cli import configfile
    try:
        data = configfile.tables(config_path)
    except OSError:
        return {}
    rows = data.get("accounts") if isinstance(data, dict) else None
    out: dict[str, int] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("id"), int):
            continue
        for ref in (row.get("id"), row.get("name"), row.get("display_name")):
            if ref is not None and str(ref) != "":
                out.setdefault(str(ref), row["id"])
    return out


def file_account(config_path: str, ref: str):
    """The one account of the config file (read leniently) ref names, by find_account, the
    one resolver riskd's own commands use; None when none does. A name two accounts go by (any
    case) is refused in the same words as lockout's (CliError): trial16g, `logs --account
    "Demo 1"` showed account 1001's records only."""
    from cli import configfile
    try:
        data = configfile.tables(config_path)
    except OSError:
        return None
    rows = data.get("accounts") if isinstance(data, dict) else None
    try:
        return find_account(accounts_in_rows(rows), ref)
    except AmbiguousAccount as exc:
        raise CliError(str(exc)) from None


def account_wanted(ctx, ref: str | None) -> str | None:
    """The id (as text) of the account --account names, by its id, name or display name as
    every other command takes it (the config file's accounts, else the broker's names risk
    knows: none while riskd is stopped), for a command that reads riskd's files (`riskctl
    logs`; `riskctl history` while riskd is stopped, cli/storedhistory.py). An id the config
    does not list stays (an account only the broker has). Anything else is an error naming
    the accounts with their ids: trial 2026-12-06, `logs --account "Demo 2 (strict)"` printed
    nothing and exited 0."""
    ref = (ref or "").strip()
    if not ref:
        return None
    account = file_account(ctx.config_path, ref)
    ids = file_ids(ctx.config_path)
    found = account.id if account is not None and account.id is not None else ids.get(ref)
    if found is None:
        found = next((i for name, i in ids.items() if name.lower() == ref.lower()), None)
    if found is None and ref.isdigit():
        return ref
    if found is None:
        broker = {name: i for i, name in broker_names(ctx).items()}
        found = broker.get(ref, next((i for name, i in broker.items()
                                      if name.lower() == ref.lower()), None))
    if found is None:
        names = file_called(ctx.config_path)
        known = sorted({names(str(i)) for i in ids.values()})
        raise CliError(f"no account is named {ref!r}; give an id, name or display name"
                       + (f" of: {', '.join(known)}" if known else ""))
    return str(found)


def unknown_id(ctx, ref: str | None) -> tuple[str, bool] | None:
    """For an id account_wanted let through (`ref` all digits, not in the config file): the
    refusal to give when no account has it, and whether that is known (risk answered and
    does not know it) or only likely (risk cannot say: riskd stopped; an account only the
    broker has may still have records). None: the config lists it or risk knows it. Trial16c:
    `riskctl logs --account 9999` printed nothing and exited 0."""
    ref = (ref or "").strip()
    if not ref.isdigit():
        return None
    ids = file_ids(ctx.config_path)
    if ref in ids or int(ref) in ids.values():
        return None
    known = risk_accounts(ctx)
    if known is not None and int(ref) in known:
        return None
    names = file_called(ctx.config_path)
    listed = sorted({names(str(i)) for i in ids.values()}
                    | {called(n, i) for i, n in (known or {}).items() if i not in ids.values()})
    return (f"no account is named {ref!r}; give an id, name or display name"
            + (f" of: {', '.join(listed)}" if listed else ""), known is not None)
