"""The kill switch's pure part: which accounts `riskctl flatten` means, and its commands.

An account is named by its broker id, its name, or the display name given in the config.
`--all` means every account the broker lists for the login plus every configured one,
including the accounts the config switches off (enabled = false, or `riskctl accounts
disable`): a disabled account is one riskd's rules do not judge, not one an admin's explicit
kill switch skips (fresh-user trial 2026-12-06: `flatten --all` left a disabled account long
ES with a working order, answered only for the other account and exited 0). The commands are
ordinary flatten Commands (rule "admin", shared/retrying.py KILL_SWITCH: the name risk, the
alerts, history and enforcement's log all give it) with fresh ids, so they run through the journal and
the executor exactly like risk's.
An id or a name the broker does not list is refused before anything is sent (nothing reaches
the broker, no alert is raised), naming the accounts it does list as every other command names
accounts, riskd's name and id ("enforcement does not know account '9999' (known: Demo 1 (id
1001), Demo 2 (strict, id 1002))", as risk's "risk does not know account ..."), not the
broker's "1001 (SIM-DEMO-1)".
"""
from __future__ import annotations

from typing import Iterable, Optional

from shared.accountname import account_called
from shared.messages.enforce import Command
from shared.messages.risk import FLATTEN
from shared.retrying import KILL_SWITCH, is_kill_switch


def _broker_id(ref: str, broker_accounts: Iterable) -> Optional[int]:
    for acct in broker_accounts:
        if ref in (str(acct.id), acct.name):
            return acct.id
    return None


def resolve(req, config_accounts, broker_accounts) -> tuple[list[int], str]:
    """(account ids, '') or ([], what is wrong)."""
    if not req.reason.strip():
        return [], "a flatten needs a reason (--reason TEXT): it goes to the audit trail"
    if req.all == bool(req.account):
        return [], "expected one ACCOUNT or --all, not both and not neither"
    configured = list(config_accounts)
    if req.all:
        ids = {a.id for a in broker_accounts}
        ids |= {a.id for a in configured if a.id is not None}
        if not ids:
            return [], ("enforcement knows no account yet (the broker's account list has not "
                        "been read; is the broker reachable?)")
        return sorted(ids), ""
    ref = req.account.strip()
    listed = list(broker_accounts)
    for acct in configured:
        if acct.matches(ref):
            found = acct.id if acct.id is not None else _broker_id(acct.name, listed)
            if found is None or not any(a.id == found for a in listed):
                return [], (f"account {ref!r} is configured but the broker does not list it "
                            f"(known: {_known(listed, configured)})")
            return [found], ""
    # an id the broker does not list is refused like a mistyped name: passed through, it
    # went to the broker, failed there and paged the trader with a CRITICAL "Enforcement
    # FAILED on 9999" (fresh-user trial 13b: `riskctl flatten 9999`)
    found = _broker_id(ref, listed)
    if found is None:
        return [], (f"enforcement does not know account {ref!r} "
                    f"(known: {_known(listed, configured)})")
    return [found], ""


def _known(broker_accounts: list, configured: list) -> str:
    """The accounts the broker lists, each as riskd names it (shared/accountname.py: the
    configured label, else the broker's name, and the id): 'Demo 1 (id 1001), SIM-X (id 7)'."""
    return (", ".join(account_called(configured, a.id, a.name) for a in broker_accounts)
            or "none yet: the broker's account list has not been read; is the broker "
               "reachable?")


def log_words(cmd: Command) -> str:
    """A command as enforcement's log names it: 'flatten on account 1001 (rule max_contracts,
    mode enforce)'; the kill switch's as risk's log and the alert name it, 'admin flatten by
    admin:root on account 1001 (mode enforce)' (it logged "rule manual" while risk said
    "admin")."""
    if is_kill_switch(cmd.rule):
        return (f"{KILL_SWITCH} {cmd.action} by {cmd.by or KILL_SWITCH} on account "
                f"{cmd.account_id} (mode {cmd.mode})")
    return f"{cmd.action} on account {cmd.account_id} (rule {cmd.rule or '-'}, mode {cmd.mode})"


def commands(account_ids: Iterable[int], reason: str, now_ns: int,
             by: str = "") -> list[Command]:
    decision = f"{KILL_SWITCH}-{now_ns}"
    return [Command(id=f"{decision}.{aid}", decision_id=decision, account_id=aid, action=FLATTEN,
                    rule=KILL_SWITCH, reason=reason or "kill switch", issued_ns=now_ns, event_ns=now_ns,
                    by=by or "admin")
            for aid in account_ids]
