"""A rule edit that would act at once asks first: risk says what it would do, riskctl asks.
(rules set, rules enable|disable, config set, config restore, accounts enable:
config_edits.run_edit.)

Fresh-user trial: an admin's typo in `riskctl rules set 1001 drawdown_guard line ...` (or any
tightening that puts an account past a limit right now) was applied live at once: riskd
flattened the account and locked it out, with no question. Now, before writing the file, the
supervisor runs the edit dry (shared/config/edit.py dry_run), hands the candidate text to risk
(an owner-only file in the run folder: it may hold secrets) and risk answers what the candidate
would make it do right now, without doing it (services/risk/preview.py). When an account would
be acted on, the answer is 'confirm_needed' with why (confirm_reason: each account as riskd
names it, the rule, its new value against the account's figure, what riskd would do and until
when it would lock the account), and nothing is written; riskctl asks "Apply anyway? [y/N]"
(refuses without a terminal unless --yes), as `riskctl stop` does. An edit sent `confirmed`
applies, and its answer (the audit's outcome) says the admin confirmed it. A loosening, or an
edit that breaks nothing now, applies with no question. When risk cannot say (not running, no
answer), the edit asks too: riskd cannot tell what it would do.
"""
from __future__ import annotations

import os
import uuid
from typing import Callable, Optional

from services.supervisor.commands.rule_outcome import RuleEdit
from services.supervisor.riskshards import ask_all
from shared import shards, showtime
from shared.accountname import called, named
from shared.config.edit import EditError, only_loosens
from shared.config.errors import ConfigError
from shared.lockwords import kind_words, lock_end_words
from shared.messages.risk import ACTION_NONE, RulesPreviewReply, RulesPreviewRequest
from shared.messages.system import error
from shared.plural import plural
from shared.privatefile import unlink_quietly, write_private
from shared.rulenumbers import setting_words
from shared.symbols import tickers_in

PREVIEW_TIMEOUT = 2.0     # s: risk's answer on what the candidate would do now
# sections no rule reads: an edit of only these is never asked about (`config set
# logging.level DEBUG` needs no answer from risk, running or not)
NO_RULES = ("logging", "notify", "admin", "ops", "bus", "broker", "paths", "supervisor")
QUESTION = "Apply anyway?"
CONFIRMED = "confirmed by the admin: applied although riskd acts on it at once"


def plan_words(d) -> str:
    """What riskd would do, from the decision's own words: 'flatten (close 1 position, cancel
    0 orders)', 'reduce MNQ by 2'; its lockout separately (lock_words); '' for a lockout
    alone (a cooldown)."""
    if d.action == ACTION_NONE:
        return ""
    plan = (d.what or d.action).split("; lock ")[0]
    head, sep, rest = plan.partition(": ")
    plan = f"{head} ({rest})" if sep and head in ("flatten",) else plan
    return tickers_in(plan) if plan else d.action


def lock_words(d, zone, now_ns: int) -> str:
    """'lock the account until the roll at Mon 17:00 CST', 'lock MNQ on the account until
    14:05 CST (timer)', 'lock the account until an admin unlocks it'; '' without a lockout."""
    lock = d.lock
    if lock is None:
        return ""
    scope = f"{lock.symbol} on the account" if lock.symbol else "the account"
    if lock.until_ns:
        when = showtime.at(lock.until_ns, zone, now_ns)
        words = kind_words(lock.kind)
        end = f"{words} at {when}" if words.startswith("until") else f"until {when} ({words})"
    else:
        end = lock_end_words(lock)
    return f"lock {scope} {end}"


def act_line(d, edit: Optional[RuleEdit], names: dict, zone, now_ns: int) -> str:
    """One account's line: the rule and its new value, the account's figure now (risk's words
    of the breach), what riskd would do: 'Demo 1 (id 1001): drawdown_guard line 49,950.00; now
    equity 49,999.13 is 49.13 above the firm's max-loss line 49,950.00, inside the 100.00
    buffer where riskd acts: riskd would flatten (close 1 position) and lock
    the account until the roll at Mon 17:00 CST'."""
    who = called(named(names, d.account_id), d.account_id)
    setting = d.rule
    if edit is not None and edit.rule == d.rule:
        # 'max_contracts turned on' (trial22b finding 8: "max_contracts the rule on; now 3
        # contracts open", a broken sentence), else 'max_contracts limit 1'
        on = "on" if str(edit.wanted).strip().lower() == "true" else "off"
        setting = (f"{d.rule} turned {on}" if edit.param == "enabled"
                   else f"{d.rule} {setting_words(d.rule, edit.param, edit.wanted)}")
    locking = lock_words(d, zone, now_ns)
    does = plan_words(d) if not d.suppressed else ""
    would = " and ".join(x for x in (does, locking) if x)
    figure = tickers_in(d.reason)
    if does and figure.endswith(f": {does}"):
        # the rule's reason ends with its plan ("... limit 1: reduce MNQ by 1"): said once, in
        # "riskd would ..." (trial14b read "reduce MNQ by 1: riskd would reduce MNQ by 1")
        figure = figure[:-len(f": {does}")]
    return f"{who}: {setting}; now {figure}: riskd would {would}"


def confirm_reason(shown: str, decisions: list, edit: Optional[RuleEdit], names: dict,
                   zone, now_ns: int) -> str:
    """The 'confirm_needed' answer: nothing saved, and what riskd would do now, per account."""
    accounts = list(dict.fromkeys(d.account_id for d in decisions))
    lines = [act_line(d, edit, names, zone, now_ns) for d in decisions]
    return (f"{shown}: not saved: riskd would act on it at once on "
            f"{plural(len(accounts), 'account')}:\n  " + "\n  ".join(lines))


def unknown_reason(shown: str, why: str) -> str:
    """The 'confirm_needed' answer when risk cannot say what the edit would do now."""
    return (f"{shown}: not saved: riskd cannot tell whether it would act on it at once "
            f"(flatten, reduce, lock out): {why}")


def confirmed_line(decisions: list, names: dict) -> str:
    """The answer's (and the audit's) word that the admin confirmed an edit that acts now."""
    accounts = list(dict.fromkeys(d.account_id for d in decisions))
    return f"{CONFIRMED} on " + ", ".join(called(named(names, a), a) for a in accounts)


def ask_first(sup, respond, edit: Callable, confirmed: bool, shown: str,
              rule: Optional[RuleEdit], names: dict, go: Callable[[str], None],
              backups: str = "") -> None:
    """Run the edit dry, ask risk what it would do now; then go(note) to apply it (note: the
    confirmation's line for the answer, '' when nothing acts), or answer confirm_needed.
    backups: the backup folder (a restore reads its backup there; nothing is written)."""
    if not any(shards.base_name(n) == shards.RISK for n in sup.slots):
        go("")                              # no risk in this riskd: nothing acts on rules
        return
    try:
        candidate = edit(sup.loaded.path, backups, dry_run=True)
    except (ConfigError, EditError, OSError):
        go("")          # the edit itself says what is wrong (run_edit), nothing acts
        return
    if not candidate.text or not judged(candidate.changed_keys):
        go("")          # the file would not change, or nothing risk judges by
        return
    if loosens_only(sup.loaded.path, candidate.text):
        # a loosening waits for the roll: it acts on nothing at once, whether or not risk
        # can be asked (trial23b section 7: with risk stopped, `rules set 1002 max_contracts
        # limit 3`, 1 -> 3, was refused "riskd cannot tell whether it would act on it")
        go("")
        return
    where = os.path.join(sup.run_dir, f"candidate-{uuid.uuid4().hex[:12]}.toml")
    try:
        write_private(where, candidate.text)
    except OSError as exc:
        answer_unknown(sup, respond, confirmed, shown, f"cannot write {where}: {exc}", go)
        return
    n = sup.config.supervisor.risk_shards

    def answered(got) -> None:
        unlink_quietly(where)
        failed = [(name, r) for name, r in got if not r.ok or
                  not isinstance(r.body, RulesPreviewReply)]
        if failed:
            name, r = failed[0]
            answer_unknown(sup, respond, confirmed, shown, f"{name}: {r.reason or r.code}", go)
            return
        acts = [d for _n, r in got for d in r.body.decisions]
        if not acts:
            go("")
        elif confirmed:
            go(confirmed_line(acts, names))
        else:
            now = sup.clock.now_ns()
            respond(error("confirm_needed", confirm_reason(
                shown, acts, rule, names, showtime.zone_of(sup.config), now)))
    ask_all(sup, RulesPreviewRequest(path=where), shards.names(n), answered, PREVIEW_TIMEOUT)


def loosens_only(path: str, new_text: str) -> bool:
    """Whether the edit of the file at `path` into new_text only loosens rules
    (shared/config/edit.py only_loosens); False when the file cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            old_text = f.read()
    except OSError:
        return False
    return only_loosens(old_text, new_text)


def judged(keys) -> bool:
    """Whether an edit of these keys may change what risk does (a rule, an account, a profile,
    the trading day): any key outside NO_RULES's sections."""
    return any(str(k).split(".")[0].split("[")[0] not in NO_RULES for k in keys)


def answer_unknown(sup, respond, confirmed: bool, shown: str, why: str, go) -> None:
    if confirmed:
        go(f"confirmed by the admin: riskd could not tell beforehand whether it acts at once "
           f"({why})")
    else:
        respond(error("confirm_needed", unknown_reason(shown, why)))
