"""What risk does with an edit of one rule parameter: applied live, or a loosening that waits.

The one text of that outcome: the supervisor asks risk for its reading once the edited file is
applied (config_edits.run_edit) and puts these lines into the reply's reason, which riskctl
prints and the audit trail records (services/supervisor/audit.py), so the two cannot disagree.
outcome_lines is pure; the reading is risk's RulesReply accounts.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Optional

import attrs

from shared.accountname import called, named
from shared.config.edit import split_key
from shared.rulenumbers import setting_words


@attrs.frozen
class RuleEdit:
    """One rule parameter an edit set: target (an account or profile), rule, param, value."""
    target: str
    rule: str
    param: str
    wanted: str


def rule_edit_of(key: str, value: str, accounts: list) -> Optional[RuleEdit]:
    """The RuleEdit of `config set KEY VALUE` when KEY is one rule parameter
    (profiles.P.rules.R.X or accounts[i].rules.R.X); None for any other key."""
    try:
        parts = split_key(key)
    except Exception:  # noqa: BLE001 -- the edit has already judged the key
        return None
    if len(parts) != 5 or parts[2] != "rules":
        return None
    if parts[0] == "profiles":
        return RuleEdit(f"profile:{parts[1]}", str(parts[3]), str(parts[4]), value)
    if parts[0] == "accounts" and isinstance(parts[1], int) and parts[1] < len(accounts):
        entry = accounts[parts[1]]
        name = getattr(entry, "name", "") or getattr(entry, "id", None)
        return RuleEdit(f"account:{name}", str(parts[3]), str(parts[4]), value) if name \
            else None
    return None


def concerns(target: str, account, account_names: set) -> bool:
    """Whether an edit of `target` concerns this account: the account itself, or a profile
    (profile:NAME, or a bare name no account has; accounts of other profiles show no change,
    and outcome_lines names them as not changed)."""
    kind, _, name = target.partition(":") if ":" in target else ("", "", target)
    if name in (str(account.account_id), account.name):
        return True
    return kind == "profile" or (not kind and name not in account_names)


def profile_target(target: str, readings: list) -> str:
    """The profile an edit's target names ('' for an account), as concerns() reads it."""
    kind, _, name = target.partition(":") if ":" in target else ("", "", target)
    names = {n for a in readings for n in (str(a.account_id), a.name)}
    return name if kind == "profile" or (not kind and name not in names) else ""


def runs_profile(config, reading, profile: str) -> bool:
    """Whether the account of risk's reading runs this profile by the config in force (an
    account the config does not list runs the default one)."""
    from shared.config.accounts import DEFAULT_PROFILE, config_entry
    try:
        account = config_entry(config.accounts, reading.account_id, reading.name)
    except ValueError:          # a name two accounts go by: not this one's to tell
        account = None
    return (account.profile if account is not None else DEFAULT_PROFILE) == profile


def nobody_runs(profile: str) -> str:
    """The answer to an edit of a profile no account runs (fresh-user trial 15b)."""
    return (f"no account runs profile {profile}: `riskctl accounts set ACCOUNT profile "
            f"{profile}` switches one to it")


def same(now_text: str, wanted: str) -> bool:
    """Whether risk's value is the wanted one (5 == 5.0, true == True)."""
    a, b = str(now_text).strip(), str(wanted).strip()
    if a.lower() == b.lower():
        return True
    try:
        return Decimal(a) == Decimal(b)
    except (InvalidOperation, ValueError):
        return False


def read_edit(readings: list, digest: str) -> bool:
    """Whether every reading is risk's after it read the file with this digest (its record of
    that reload, services/risk/lastedit.py, is then the edit's)."""
    return bool(digest) and all(getattr(a, "config_digest", "") == digest for a in readings)


def recorded(readings: list) -> bool:
    """Whether risk's readings carry its record of the last reload (a digest)."""
    return bool(readings) and all(getattr(a, "config_digest", "") for a in readings)


def outcome_lines(edit: RuleEdit, readings: list, roll: str,
                  labels: Optional[dict] = None, own: Optional[set] = None,
                  digest: str = "") -> tuple[list[str], bool]:
    """(lines, settled): per concerned account, whether risk applies the new value now or keeps
    the old one until the roll (`roll` is the roll's time as shown, "Mon 17:00 CST"). Accounts
    are named as alerts and screens name them (labels: shared/accountname.py labels() of the
    live config; trial 2026-12-05: the answer said the broker's SIM-DEMO-2 where every screen
    said Demo 2), and the override it suggests takes the account's id.
    digest: the edited file's; when risk's readings carry its record of a reload, the lines
    are worded from it (record_lines) once risk has read that file (settled), never before.
    settled: risk shows the edit (waiting or applied) or guards no account, or every account
    it concerns keeps a value of its own the config sets for it (own: those accounts' ids;
    trial17a section 9: "no account shows it yet: risk has not read it, or every account keeps
    a value of its own", while riskd knew which)."""
    if not readings:
        return ["applied live (risk guards no account yet)"], True
    if digest and recorded(readings):
        # risk's own record of what it did (the one its alerts are worded from), once it has
        # read the edited file: never a guess from a reading taken before (trial 21a)
        if not read_edit(readings, digest):
            return [], False
        return record_lines(edit, readings, roll, labels, own), True
    waiting, applied_ids, kept_at = sorted_out(edit, readings, labels)
    applied = list(applied_ids.values())
    kept = [text for text, _aid in kept_at]
    if kept and not (waiting or applied) and own is not None \
            and all(aid in own for _text, aid in kept_at):
        return [f"not changed on {', '.join(kept)}: each keeps a value of its own, set for "
                f"that account (`riskctl rules set ACCOUNT {edit.rule} {edit.param} VALUE` "
                f"changes it)"], True
    lines = waiting_lines(edit, waiting, readings, roll)
    if applied:
        lines.append(f"applied live on {', '.join(applied)}")
    if kept and (waiting or applied):
        # a profile edit leaves an account with a value of its own (set for that account, or
        # it runs another profile) as it was: say so, or the admin reads "applied live on ..."
        # as every account (trial: SIM-DEMO-2 left out silently). With no account showing the
        # edit, risk may not have read it yet: not settled (NOT_CONFIRMED says both)
        lines.append(f"not changed on {', '.join(kept)}: its own value (set for that account, "
                     f"or it runs another profile)")
    return lines, bool(waiting or applied)


def applied_now(edit: RuleEdit, readings: list, digest: str = "") -> set:
    """The ids of the accounts risk shows the edit in force on now (not waiting): by risk's
    record of the edit's reload (the file with this digest) when its readings carry it."""
    if digest and read_edit(readings or [], digest):
        return {a.account_id for a in readings if _entry(edit, a)[2:3] == ["now"]}
    return set(sorted_out(edit, readings or [])[1])


def _entry(edit: RuleEdit, account) -> list:
    """[old, new, when] of the edit's parameter in risk's record of the account ([] when the
    reload did not change it there)."""
    return list((getattr(account, "changed", None) or {}).get(edit.rule, {}).get(edit.param)
                or [])


def record_lines(edit: RuleEdit, readings: list, roll: str, labels: Optional[dict] = None,
                 own: Optional[set] = None) -> list[str]:
    """The answer from risk's record of the edit's reload (services/risk/lastedit.py), per
    account the edit concerns: applied live (in force now; a waiting loosening it replaced
    is said gone), kept until the roll (a loosening waits), a waiting loosening taken back, or
    not changed (its own value, or the value in
    force already)."""
    names = {n for a in readings for n in (str(a.account_id), a.name)}
    waiting, applied, dropped, own_kept, same, unguarded = [], [], [], [], [], []
    for account in readings:
        if not concerns(edit.target, account, names):
            continue
        who = called(named(labels or {}, account.account_id, account.name), account.account_id)
        entry = _entry(edit, account)
        when = entry[2] if len(entry) in (3, 4) else ""
        if when == "now":
            applied.append(who)
            if len(entry) == 4:     # a waiting loosening it replaced (lastedit.replaced)
                dropped.append(f"{who}: the waiting {edit.rule} "
                               f"{setting_words(edit.rule, edit.param, entry[3])} no longer "
                               f"waits for the roll (replaced by "
                               f"{setting_words(edit.rule, edit.param, entry[1])}, in force "
                               f"now)")
        elif when == "roll":
            waiting.append((who, account.account_id,
                            setting_words(edit.rule, edit.param, entry[0])))
        elif when == "dropped":
            dropped.append(f"{who}: the waiting {edit.rule} "
                           f"{setting_words(edit.rule, edit.param, entry[1])} no longer waits "
                           f"for the roll (taken back); riskd keeps "
                           f"{setting_words(edit.rule, edit.param, entry[0])} in force")
        else:
            value = next((v for v in account.rules if v.rule == edit.rule), None)
            if value is None:       # risk guards it not (disabled): no rule of it to change
                unguarded.append(who)
                continue
            now_value = {
                "enabled": str(value.enabled).lower(), "mode": value.mode,
                "warn_at": "none" if value.warn_at is None else str(value.warn_at)}.get(
                edit.param, value.params.get(edit.param, "?"))
            at = f"{who} at {setting_words(edit.rule, edit.param, now_value)}"
            (own_kept if profile_edit(edit.target, names) and own is not None
             and account.account_id in own else same).append(at)
    lines = waiting_lines(edit, waiting, readings, roll)
    if applied:
        lines.append(f"applied live on {', '.join(applied)}")
    lines += dropped
    if own_kept:
        lines.append(f"not changed on {', '.join(own_kept)}: each keeps a value of its own, "
                     f"set for that account (`riskctl rules set ACCOUNT {edit.rule} "
                     f"{edit.param} VALUE` changes it)")
    if same:
        lines.append(f"already in force on {', '.join(same)}: nothing changed there")
    if unguarded:
        lines.append(f"not in force on {', '.join(unguarded)}: riskd does not guard it now "
                     f"(the account is disabled), so no rule of it is in force")
    return lines


def sorted_out(edit: RuleEdit, readings: list, labels: Optional[dict] = None) -> tuple:
    """(waiting [(name, id, value kept)], applied {id: name}, kept [('name at value', id)]): each
    account the edit concerns, by what risk does with it."""
    waiting, applied, kept = [], {}, []
    names = {n for a in readings for n in (str(a.account_id), a.name)}
    for account in readings:
        if not concerns(edit.target, account, names):
            continue
        value = next((v for v in account.rules if v.rule == edit.rule), None)
        if value is None:
            continue
        # warn_at is the reading's own field, not among params (trial 15b: `rules set
        # profile:default daily_net_loss warn_at 0.7` said "no account shows it yet")
        now_value = {"enabled": str(value.enabled).lower(), "mode": value.mode,
                     "warn_at": "none" if value.warn_at is None else str(value.warn_at)}.get(
            edit.param, value.params.get(edit.param, "?"))
        who = called(named(labels or {}, account.account_id, account.name), account.account_id)
        # 'limit 250.00', 'the rule on': as screens show it, never TOML (trial 2026-12-05:
        # "riskd keeps tiers = [{loss = 100.00, seconds = 300}, ...]", "enabled = true")
        shown = setting_words(edit.rule, edit.param, now_value)
        waits = value.waiting.get(edit.param)
        if same(now_value, edit.wanted):
            applied[account.account_id] = who
        elif waits is not None and _this_edit(waits, edit.wanted):
            waiting.append((who, account.account_id, shown))
        elif waits is not None:
            # an earlier loosening still waits there and risk has not read this edit yet
            # (trial 2026-12-06: limit 8 waiting, then `rules set ... limit 3`, in force at
            # once, answered "riskd keeps limit 5 until the roll (a loosening waits)")
            continue
        elif profile_edit(edit.target, names):
            kept.append((f"{who} at {shown}", account.account_id))
    return waiting, applied, kept


def _this_edit(waits: str, wanted: str) -> bool:
    """Is the value waiting for the roll the one this edit asked for? Numbers compare by value;
    a value that is not one number (a table of tiers) is taken as this edit's: its text as
    risk reports it may be written differently."""
    try:
        Decimal(str(waits).strip()), Decimal(str(wanted).strip())
    except (InvalidOperation, ValueError):
        return True
    return same(waits, wanted)


def profile_edit(target: str, account_names: set) -> bool:
    """An edit of a profile (profile:NAME, or a bare name no account has)."""
    kind, _, name = target.partition(":") if ":" in target else ("", "", target)
    return kind == "profile" or (not kind and name not in account_names)


NOT_CONFIRMED = "risk has not confirmed it yet: see riskctl rules list"
# a profile's edit no account shows: risk has not read it yet, or no account takes it (second
# trial: every account had a limit of its own, and the answer only said "not confirmed")
NOT_CONFIRMED_PROFILE = ("no account shows it yet: risk has not read it, or every account "
                         "keeps a value of its own (set for that account, or it runs another "
                         "profile): see riskctl rules list")


def reason_of(key: str, lines: list[str], shown: str = "") -> str:
    """The reply's reason (and the audit's outcome) of a rule edit (shown: the key as said,
    its account named as riskd names it)."""
    unconfirmed = NOT_CONFIRMED_PROFILE if key.startswith(("profile:", "profiles.")) \
        else NOT_CONFIRMED
    return f"{shown or key}: saved; " + ("\n  ".join(lines) if lines else unconfirmed)


UNCHANGED = "unchanged (the file already holds that value: nothing changed)"
APPLIED = "applied live on "


def unchanged_reason_of(key: str, lines: list[str], shown: str = "") -> str:
    """The reason of a rule edit that wrote nothing new (the file already held the value:
    `rules enable` of a rule already on answered "saved; applied live", trial18c section 8):
    it says nothing changed, and what risk holds, "in force on ..." where a change would read
    "applied live on ..." (a value risk keeps until the roll, a loosening, is said as it is)."""
    said = [f"in force on {line[len(APPLIED):]}" if line.startswith(APPLIED) else line
            for line in lines]
    return f"{shown or key}: {UNCHANGED}" + "".join(f"\n  {line}" for line in said)


def waiting_lines(edit, waiting, readings, roll) -> list[str]:
    """The answer's lines for the accounts where a loosening waits for the roll: each one's
    `rules override` command, and with several of one profile the one command for all of them
    (the form `rules override` takes: trial 13b's admin tried `--account profile:default` and
    it was refused). Shared by the answer from risk's record and the one from its readings."""
    lines = [f"{who}: riskd keeps {now} until the roll at {roll} (a loosening "
             f"waits); `riskctl rules override --account {aid} --rule {edit.rule} --reason "
             f"\"WHY\"` applies it now"
             for who, aid, now in waiting]
    profile = profile_target(edit.target, readings)
    if profile and len(waiting) > 1:
        lines.append(f"`riskctl rules override --account profile:{profile} --rule {edit.rule} "
                     f"--reason \"WHY\"` applies it now on every account of profile {profile}")
    return lines
