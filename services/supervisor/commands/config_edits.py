"""The one path of every config edit in the supervisor: run it, then apply the new file live.

Not a command itself: config_set, config_restore, rules_set and rules_enable call
run_edit(). Edits are admin commands (the role check lives in services/supervisor/auth.py).
"""
from __future__ import annotations

from typing import Callable, Mapping, Optional

import attrs

from services.supervisor.sessionwords import ended_note
from services.supervisor.commands.rule_acted import acted_lines
from services.supervisor.commands.rule_confirm import ask_first
from services.supervisor.commands.rule_outcome import (RuleEdit, applied_now, nobody_runs,
                                                      outcome_lines, profile_target,
                                                      reason_of as saved_reason_of,
                                                      runs_profile, unchanged_reason_of)
from services.supervisor.riskshards import forward_risk
from shared import showtime
from shared.accountname import account_called, labels
from shared.config.accounts import find_account_quietly

from shared.config.restorewords import session_words
from shared.config.edit import EditError, EditResult, default_backup_dir
from shared.config.errors import ConfigError
from shared.config.refusedwords import refused_reason
from shared.config.live import RESTART_SECTIONS
from shared.config.load import parse_toml
from shared.config.sections import BusConfig
from shared.messages.config import ConfigEdited
from shared.messages.risk import HistoryRequest, RulesRequest
from shared.messages.system import error, ok


def is_rule_key(key: str) -> bool:
    """A key inside a rules table (profiles.P.rules.R.X, accounts[0].rules.R.X)."""
    return ".rules." in f".{key}" or key.startswith("rules.")


def backup_dir(sup) -> str:
    return default_backup_dir(sup.loaded.path, sup.loaded.data_dir)


def mark_seen(sup, digest: str) -> None:
    """Tell the file watcher this content is handled, so it does not reload it a second time."""
    watcher = getattr(sup, "config_watcher", None)
    if watcher is not None and digest:
        watcher.mark_seen(digest)


CONFIRM_WITHIN = 2.0      # s: how long a rule edit waits for risk to show the edited file
RECHECK_EVERY = 0.1       # s: how soon a rule edit asks risk again (a one-shot timer each time)


def changed_note(sup, reason: str = "") -> str:
    """ConfigChanged.note of an admin's rule or config edit: 'changed by admin:root: why'.
    Risk's "in force now" alert says it (trial14b: the trader's phone showed a breach lockout
    after "daily_realized_loss limit 300.00 -> 1.00, in force now", with no sign an admin had
    changed it)."""
    who = getattr(sup, "requester", "") or ""
    if not who:
        return f"changed: {reason}" if reason else ""
    return f"changed by {who}" + (f": {reason}" if reason else "")


def moves_control(sup, edit: Callable[..., EditResult]) -> str:
    """Why an edit that moves [bus].control is refused on a running riskd ('' when it does
    not move it, or cannot be read: the edit itself then says why). riskctl finds riskd at the
    file's address: moved now, no riskctl could reach this riskd any more, not even to shut it
    down (trial 15b, a [bus] edit on a running riskd)."""
    try:
        candidate = edit(sup.loaded.path, backup_dir(sup), dry_run=True)
        bus = parse_toml(candidate.text, sup.loaded.path).get("bus") or {}
    except (ConfigError, EditError, OSError):
        return ""
    moved = bus.get("control", BusConfig().control) if isinstance(bus, dict) else None
    if moved == sup.config.bus.control:
        return ""
    return (f"not saved: it moves bus.control, the address riskctl finds this riskd at "
            f"({sup.config.bus.control}): saved now, riskctl could no longer reach riskd, not "
            f"even to stop it. Stop riskd first (`riskctl shutdown`), edit the file then "
            f"(`riskctl config set bus.control ADDRESS --offline`), and start riskd again "
            f"(`make run`)")


def run_edit(sup, respond, key: str, edit: Callable[..., EditResult],
             rule_edit: Optional[Callable[[], Optional[RuleEdit]]] = None,
             note: str = "", waits: str = "", shown: str = "",
             confirmed: Optional[bool] = None, warn: tuple[str, str] = ("", "")) -> None:
    """edit(path, backup_dir) -> EditResult; answer ConfigEdited once the reload is done.

    confirmed: None, apply as asked; True or False, an edit that may act at once (rules set,
    rules enable/disable, config set, config restore): risk is asked first what the edit would do now
    (rule_confirm.py, edit(path, backup_dir, dry_run=True)); when it would act on an account
    the answer is 'confirm_needed' and nothing is written, unless confirmed (then the answer,
    and so the audit, says the admin confirmed it).

    rule_edit() -> the rule parameter the edit set (None: not a rule edit): then the answer
    waits for risk's reading and says what risk does with it (rule_outcome.py), the one text
    both riskctl and the audit trail show. note: who and why, for the workers' alerts of the
    edit (ConfigChanged.note). waits: an edit risk takes only at the roll (a disable without
    --now) says so instead of "applied live": "saved; waits for the roll (Mon 17:00 CST) ...".
    shown: the key as the answer says it (a rule edit names its account as riskd names it
    everywhere, rule_target_words), else the key.
    warn: (question, confirmed line) of an edit that asks first whatever risk says (a restore
    that removes or changes a password: restorewords.login_warning); its question joins
    risk's in the one 'confirm_needed' answer, its line the confirmed answer."""
    question, warned = warn
    if confirmed is None and not question:
        apply_edit(sup, respond, key, edit, rule_edit, note, waits, shown)
        return

    def go(said: str) -> None:
        if question and not confirmed:      # risk would not act, but logins would change
            respond(error("confirm_needed", f"{shown or key}: not saved: {question}"))
            return
        said = "\n  ".join(x for x in (said, warned if question else "") if x)

        def answer(reply) -> None:
            respond(attrs.evolve(reply, reason=f"{reply.reason}\n  {said}")
                    if said and reply.ok else reply)
        apply_edit(sup, answer, key, edit, rule_edit, note, waits, shown)

    def asked(reply) -> None:               # risk's question, and the logins' too
        if question and not reply.ok and reply.code == "confirm_needed":
            reply = attrs.evolve(reply, reason=f"{reply.reason}\n  {question}")
        respond(reply)
    rule = rule_edit() if rule_edit is not None else None
    ask_first(sup, asked, edit, bool(confirmed), shown or key, rule,
              labels(sup.config.accounts), go, backup_dir(sup))


def apply_edit(sup, respond, key: str, edit: Callable[..., EditResult],
               rule_edit: Optional[Callable[[], Optional[RuleEdit]]] = None,
               note: str = "", waits: str = "", shown: str = "") -> None:
    """run_edit's edit itself: write, reload, answer (what risk does with a rule edit)."""
    profiles_before = set(getattr(sup.config, "profiles", {}))
    warned_before = getattr(sup.loaded, "warnings", ()) or ()
    try:
        result = edit(sup.loaded.path, backup_dir(sup))
    except ConfigError as exc:
        rule = rule_edit() if rule_edit is not None else None
        respond(error("config_invalid", refused_reason(shown or key, rule.rule, rule.param,
                                                       rule.wanted, exc)
                      if rule is not None else
                      "the edit was refused, the file is unchanged:\n" + exc.render()))
        return
    except EditError as exc:
        respond(error("bad_edit", str(exc)))
        return
    except OSError as exc:
        respond(error("io_error", f"cannot write {sup.loaded.path}: {exc}"))
        return
    mark_seen(sup, result.digest)
    edited_ns = sup.clock.now_ns()
    reloaded = sup.reload_config(reason=f"edit: {key}", authenticated=True, note=note)
    # a password change ends some; a restore puts the backup's password back, not a new one
    restored = session_words(result.changes) if key.startswith("restore ") else ""
    ended = ended_note(sup.sessions.ended_since(edited_ns), then=restored)
    changed = reloaded.body
    restart = list(getattr(changed, "restart_needed", []) or [])
    body = ConfigEdited(path=result.path, key=key, backup=result.backup, digest=result.digest,
                        applied=reloaded.ok, restart_needed=restart,
                        restart=getattr(changed, "restart", "") or "",
                        warnings=[str(w) for w in (new_warnings(result.warnings, warned_before)
                                                   if rule_edit is not None
                                                   else result.warnings)],
                        changes=list(result.changes))
    # a profile the edit wrote first (`rules set profile:eval ...`, `config set profiles.eval.
    # ...` alike): said, as a new profile runs the defaults for every rule not written
    created = [created_words(p) for p in sorted(set(getattr(sup.config, "profiles", {}))
                                                 - profiles_before)
               ] if reloaded.ok else []
    rule = rule_edit() if (reloaded.ok and rule_edit is not None) else None
    if rule is not None:
        confirm_rule_edit(sup, respond, key, rule, body, edited_ns, shown, created,
                          unchanged=not result.changes)
        return
    note = "applied live" if reloaded.ok else f"written but not applied: {reloaded.reason}"
    if reloaded.ok and (is_rule_key(key) or any(is_rule_key(k) for k in result.changed_keys)
                        or any(is_rule_key(c.split(":")[0]) for c in result.changes)):
        # rules changed that no single rule edit names (a restore, an unnamed account): a
        # loosening among them waits for the roll, so never claim they are all live
        note = "riskd took it; a tightening applies now, a loosening waits for the trading-day roll"
    later = getattr(changed, "restart", "") if reloaded.ok else ""
    # a riskd-wide key set back to what riskd runs (trial 15c: "NOT in force yet ... `riskctl
    # shutdown`" for the port riskd runs): nothing waits for it
    settled = getattr(changed, "settled", "") if reloaded.ok else ""
    if later:      # said truthfully (trial 15b: "applied live; needs a restart" for a [bus] edit)
        later = f"{later}; {settled}" if settled else later
        note = (f"{note}, except what waits for a restart; NOT in force yet: {later}"
                if live_changes(result) else f"NOT in force yet: {later}")
    elif settled:
        note = f"{note}; {settled}" if live_changes(result) else settled
    saved = f"saved; {waits}" if (waits and reloaded.ok and not later) else f"saved ({note})"
    if reloaded.ok and not result.changes and " " not in key:      # `config set KEY` only
        # the file already held it (trial16c: `config set bus.logging_pub` to the port riskd
        # runs answered "applied live", though a [bus] edit never is)
        saved = f"unchanged (the file already holds that value{unchanged_words(sup, key)})"
    respond(ok(body, reason=f"{shown or key}: {saved}" + (f"; {ended}" if ended else "")
               + "".join(f"\n  {c}" for c in created)))


def new_warnings(warnings, before) -> list:
    """The warnings a rule edit makes that the file did not have already (fresh-user trial
    21a section 7: every profile edit repeated Demo 2's max_contracts_per_instrument warning,
    on edits that had nothing to do with it); compared by key and words, not by where the
    file holds them."""
    from shared.config.refusedwords import message_of
    known = {(w.path, message_of(w)) for w in before}
    return [w for w in warnings if (w.path, message_of(w)) not in known]


_NONE = object()


def _value_at(config, key: str):
    """The value of a dotted key ("bus.logging_pub", "broker.sim.port") in a config object;
    _NONE when the key is not a plain attribute path."""
    value = config
    for part in key.split("."):
        value = getattr(value, part, _NONE)
        if value is _NONE:
            return _NONE
    return value


def unchanged_words(sup, key: str) -> str:
    """For a key riskd takes only at its restart, whether it runs the file's value: '; it
    matches what riskd runs: nothing to restart', or what it runs until its restart."""
    if key.split(".")[0].split("[")[0] not in RESTART_SECTIONS:
        return ""
    running, in_file = _value_at(sup.config, key), _value_at(sup.loaded.config, key)
    if running is _NONE or in_file is _NONE:
        return ""
    if running == in_file:
        return "; it matches what riskd runs: nothing to restart"
    # (never the value itself: broker.api_key is one of these keys)
    return "; riskd runs another value until riskd itself restarts: NOT in force yet"


def created_words(profile: str) -> str:
    """'profile eval created: ...' for an edit that wrote a profile's first setting."""
    return (f"profile {profile} created: each rule it does not set runs its default "
            f"(docs/rules.md); {nobody_runs(profile)}")


def live_changes(result: EditResult) -> bool:
    """Did the edit change anything outside the restart-only sections (or cannot it tell)?"""
    keys = list(result.changed_keys or ())
    return not keys or any(k.split(".")[0].split("[")[0] not in RESTART_SECTIONS for k in keys)


def rule_target_words(config, target: str, broker: Optional[Mapping[int, str]] = None) -> str:
    """A rule edit's target as answers say it: an account as riskd names it everywhere, 'Demo 2
    (strict, id 1002)' (shared/accountname.called; trial 2026-12-06: "1002
    max_contracts.limit: saved" beside every screen's "Demo 2 (strict)"), a profile as typed.
    broker: id -> the broker's name (brokers_names), for an entry with neither display_name
    nor name (trial17b: "1004 drawdown_guard.line: saved" for SIM-DEMO-4)."""
    kind, _, ref = target.partition(":") if ":" in target else ("", "", target)
    if kind not in ("", "account"):
        return target
    account = find_account_quietly(config.accounts, ref)
    if account is None or account.id is None:
        return target
    return account_called(config.accounts, account.id, (broker or {}).get(account.id, ""))


def brokers_names(sup) -> dict[int, str]:
    """id -> the broker's name of each account risk last told the supervisor of ({} when
    none: services/supervisor/lastrisk.py)."""
    last = getattr(getattr(sup, "last_risk", None), "accounts", None) or {}
    return {aid: st.name for aid, st in last.items() if getattr(st, "name", "")}


def target_words(sup, target: str) -> str:
    """rule_target_words by the supervisor's live config and the broker's names risk gave."""
    return rule_target_words(sup.config, target, brokers_names(sup))


def rule_edit_target(config, target: str) -> str:
    """A rule edit's target as risk's readings know it: an account named by any of its names
    (its display name too) as account:ID (account:NAME without an id), a profile as typed.
    Trial 16b: `rules set "Demo 1" ...` saved to the account's own rules, but its answer (and
    the audit row) read "Demo 1" as a profile: "no account runs profile Demo 1", without "a
    loosening waits", because risk's readings carry the id and the broker's name only."""
    kind, _, ref = target.partition(":") if ":" in target else ("", "", target)
    if kind not in ("", "account"):
        return target
    if not kind and ref in getattr(config, "profiles", {}):
        return target               # a profile's name (one also an account's is refused)
    account = find_account_quietly(config.accounts, ref)   # None: two go by it (refused)
    if account is None:
        return target
    return f"account:{account.id if account.id is not None else account.name}"


def own_values(config, rule: RuleEdit) -> set:
    """The ids of the accounts whose own rules (their [accounts.rules.RULE]) set the edit's
    parameter: a profile's edit leaves them as they are (outcome_lines says so)."""
    return {a.id for a in getattr(config, "accounts", ()) if a.id is not None
            and rule.param in (a.rules.get(rule.rule) or {})}


def confirm_rule_edit(sup, respond, key: str, rule: RuleEdit, body: ConfigEdited,
                      edited_ns: Optional[int] = None, shown: str = "",
                      created: Optional[list[str]] = None, unchanged: bool = False) -> None:
    """Ask risk for its reading until it shows the edit (every RECHECK_EVERY, for at most
    CONFIRM_WITHIN), then answer with what risk does: applied live, or the old value kept
    until the roll; applied live, what it did at once (rule_acted.py: the decisions of the
    rule risk made since edited_ns, the edit's time). unchanged: the file already held the
    value (`rules enable` of a rule already on): the answer says nothing changed, and what is
    in force, not "saved; applied live" (fresh-user trial 18c section 8)."""
    reason_of = unchanged_reason_of if unchanged else saved_reason_of
    deadline = sup.clock.monotonic() + CONFIRM_WITHIN
    now_ns = sup.clock.now_ns()
    roll = showtime.at(sup.calendar.next_roll(now_ns), showtime.zone_of(sup.config), now_ns)

    def ask() -> None:
        forward_risk(sup, RulesRequest(), on_reading, timeout=1.0)

    def on_reading(reply) -> None:
        readings = list(getattr(reply.body, "accounts", []) or []) if reply.ok else None
        profile = profile_target(rule.target, readings or [])
        if readings and profile:
            # only the accounts that run the profile (trial 15b: an edit of a profile no
            # account runs said "applied live on Ana funded", whose own value was the same)
            readings = [a for a in readings if runs_profile(sup.config, a, profile)]
            if not readings:
                respond(ok(body, reason=reason_of(
                    key, created or [nobody_runs(profile)], shown)))
                return
        # unchanged: the file was not written, risk's record is of an earlier reload
        lines, settled = outcome_lines(rule, readings, roll, labels(sup.config.accounts),
                                       own_values(sup.config, rule),
                                       "" if unchanged else body.digest) \
            if readings is not None \
            else ([], False)
        if readings is not None and not settled and sup.clock.monotonic() < deadline:
            sup.after(RECHECK_EVERY, ask)        # risk has not taken the new file yet
            return
        applied = applied_now(rule, readings, "" if unchanged else body.digest) \
            if readings else set()
        lines = list(created or []) + lines
        if not applied or edited_ns is None:
            respond(ok(body, reason=reason_of(key, lines, shown)))
            return

        def on_history(reply) -> None:      # tightening is instant: what it did at once
            acted = acted_lines(rule.rule, list(getattr(reply.body, "decisions", []) or []),
                                edited_ns, applied, labels(sup.config.accounts), readings,
                                rule.param) \
                if reply.ok else []
            respond(ok(body, reason=reason_of(key, lines + acted, shown)))
        forward_risk(sup, HistoryRequest(since_ns=edited_ns, limit=200), on_history,
                     timeout=1.0)
    ask()
