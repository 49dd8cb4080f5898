"""`riskctl accounts enable|disable ACCOUNT`: switch guarding of one configured account.

Enabling applies at once (it adds protection); disabling is written now but the risk worker
keeps guarding the account until the next trading-day roll, unless an admin applies it early:
`riskctl accounts disable ACCOUNT --now --reason ...` first sends the audited
RulesOverrideRequest(account=ACCOUNT, disable=True), which applies that account's disable only
when risk reads the edit (services/risk/disabled.py; never another account's waiting
loosening: trial 2026-12-06). An enable tells risk who asked and why (--reason) with the
reload (ConfigChanged.note): its "🟢 guarded again" alert says it, as disable's says its own.
An enable risk would act on at once (a lockout in force closing what the account opened while
disabled; a breach held meanwhile) asks first, like a rule edit (rule_confirm.py): answered
'confirm_needed' with what riskd would do, nothing written, unless confirmed (--yes).
"""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import target_words, run_edit
from shared import showtime
from shared.config.account_edit import set_account_enabled
from shared.messages.accounts import AccountEnable


def execute(sup, r, respond) -> None:
    run_edit(sup, respond, f"accounts {'enable' if r.enabled else 'disable'} {r.account}",
             lambda path, backups, **kw: set_account_enabled(path, r.account, r.enabled, backups,
                                                             **kw),
             note=enabled_note(getattr(sup, "requester", ""), r) if r.enabled else "",
             waits="" if (r.enabled or r.now) else roll_words(sup, r.account),
             shown=f"accounts {'enable' if r.enabled else 'disable'} "
                   f"{target_words(sup, r.account)}",
             # an enable guards again at once: risk is asked first what it would do then
             # (close what a lockout in force holds, act on a breach held while disabled) and
             # the admin confirms it, as a rule edit that acts at once (rule_confirm.py);
             # a disable acts on nothing (it waits for the roll, or --now stops guarding)
             confirmed=bool(r.confirmed) if r.enabled else None)


def roll_words(sup, account: str) -> str:
    """A disable without --now: "waits for the roll (Mon 17:00 CST): risk keeps guarding 1002
    until then" (fresh-user trial: "saved (applied live)" then "risk keeps guarding 1002 until
    the next trading-day roll")."""
    now = sup.clock.now_ns()
    roll = showtime.at(sup.calendar.next_roll(now), showtime.zone_of(sup.config), now)
    return (f"waits for the roll ({roll}): risk keeps guarding "
            f"{target_words(sup, account)} until then")


def enabled_note(who: str, r: AccountEnable) -> str:
    """'enabled by admin:root (the firm reopened it)': risk's "guarded again" says it."""
    said = " ".join(x for x in (f"by {who}" if who else "", f"({r.reason})" if r.reason else "")
                    if x)
    return f"enabled {said}" if said else ""


COMMAND = Command(AccountEnable, "admin", execute)
