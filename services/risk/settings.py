"""Which rules each account runs, and when a config change takes effect.

Tightening is instant, loosening waits (RULES.md): a change that makes a rule stricter (a
lower loss limit, a longer cooldown, enabling a rule, alert -> enforce) applies at once; one
that makes it looser (a higher limit, disabling, enforce -> alert) waits for the next
trading-day roll, unless an admin applies it now with an explicit override. A change that is
neither clearly stricter nor looser (a different scope, new sessions, other tiers) is treated
as loosening, so a trader on tilt cannot slip a looser rule in through a side door.

Across restarts: the rules in force of each account are saved for the trading day (the store's
rules_in_force, written when they change); a restarted risk starts from them (restore), so a
loosening still waits for the roll, a tightening made meanwhile applies, and an admin's
override stays applied.

Per field, DIRECTION says which way is stricter; warn_at and trade_management's tick
distances are neutral (they restrict nothing) and apply at once.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

import attrs

from services.risk.counted import CountedDict
from shared.config import effective_rules
from shared.config.accounts import DEFAULT_PROFILE, config_entry
from shared.config.rules import RULE_NAMES

log = logging.getLogger(__name__)

# which way each parameter is stricter, and a rule's split into now / at the roll: one
# module (shared/config/strictness.py) for risk and for the supervisor's answers
from shared.config.strictness import (COMMON, DIRECTION, merge_rule)  # noqa: E402,F401


# the pending name of an account disabled in the config: guarded until the roll, not after
# (services/risk/disabled.NO_LONGER and the screens find it by its words)
UNGUARDED_AT_ROLL = "(account no longer guarded)"


# the state in_force, configured, off_rules and owns are made of (and what settles it): kept
# in counted dicts (services/risk/counted.py), whatever assigns them (__setattr__); owns
# (the '*' of `rules list`, leftover22) is saved by the same walk of the store's (_rules,
# _rules_own)
_COUNTED = frozenset({"_kept", "_effective", "_pending", "_names", "_off", "_own"})


def merge(old, new, own_line=None) -> tuple[object, object, list[str]]:
    """Whole rule sets: (in force now, pending for the roll or None, names of loosened rules).
    own_line: strictness.merge_rule's (drawdown_guard's line when none is set)."""
    if old is None:
        return new, None, []
    if new is None:
        return old, None, [UNGUARDED_AT_ROLL]
    current, pending_names = {}, []
    for name in RULE_NAMES:
        now_p, later = merge_rule(name, getattr(old, name), getattr(new, name), own_line)
        current[name] = now_p
        if later is not None:
            pending_names.append(name)
    if not pending_names:
        return new, None, []
    return type(new)(**current), new, pending_names


class RuleSettings:
    """Effective rules per account, from the config (profiles, overrides, enabled accounts).

    One entry per account id: the rules in force and what waits for the roll. (Keyed by id and
    name, an account whose broker name arrived after its rules were first read kept a second,
    stale entry whose old loosening the screens, `rules list` and the next notice still showed,
    while the rules in force and a restart said otherwise: trial, rule pending.) What waits is
    always the config's value for a parameter: a newer value replaces a waiting one, an
    override or a tightening ends it, and a restart computes the same from the rules in force
    (saved) and the config."""

    def __setattr__(self, name, value):
        if name in _COUNTED:
            ticket = self.__dict__.setdefault("_ticket", [0])
            ticket[0] += 1
            value = CountedDict(ticket, 0, value)
        object.__setattr__(self, name, value)

    def version(self) -> int:
        """A count of the changes to the rules in force, what waits and the disabled accounts'
        rules: the same number, the same in_force(), configured() and off_rules() (the store
        walks every account for them only after a change). Every change counts, whichever
        method made it: the dicts count their own changes (counted.CountedDict), an
        assignment counts."""
        return self._ticket[0]

    def __init__(self, config, resolve: Optional[Callable] = None):
        self.config = config
        self._resolve = resolve or resolve_account_rules
        self._kept: dict[int, object] = {}       # in force before a restart, this trading day
        self._effective: dict[int, object] = {}
        self._pending: dict[int, tuple[object, list[str]]] = {}
        self._names: dict[int, str] = {}         # the account name its rules were read with
        # accounts an admin disabled now: the rules in force as guarding stopped, this trading
        # day. Guarded again the same day, they start from them, so a loosening that waited
        # waits again (trial: disable --now then enable put a waiting max_contracts limit 3
        # in force, with no alert and no audit line); the roll lands what waited anyway.
        self._off: dict[int, object] = {}
        # the config's rules per account as risk last read them before a restart, this trading
        # day (the store's meta 'rules_configured'), and the accounts resolved since then whose
        # change while risk was down is still to be said (restart_changes: trial17a section 6,
        # `rules set --offline` while riskd was stopped reached no phone at the next start)
        self._configured_before: dict[int, object] = {}
        self._restarted: list[int] = []
        self._profiles: dict[tuple, str] = {}
        self._accounts: dict[int, object] = {}   # id -> its state (drawdown_guard's own line)
        # id -> rule -> the parameters whose value in force is the account's own (set in its
        # [[accounts]] entry, not its profile's), for `rules list`'s '*' beside a value in
        # force while another waits (round 21, admin21: the mark was lost while a change
        # waited): a value kept from an earlier file keeps that file's word
        self._own: dict[int, dict[str, frozenset]] = {}

    def own_line(self, aid: int):
        """The account's drawdown_guard line-of-its-own judge for merge (None: not known)."""
        from services.risk.rules.drawdown_guard import own_line
        return lambda params: own_line(self._accounts.get(aid), params)

    def for_account(self, acct):
        aid = acct.account_id
        self._accounts[aid] = acct
        if aid not in self._effective:
            new = self._resolve(self.config, acct)
            if aid in self._kept:       # what risk enforced before a restart
                self._settle(aid, self._kept[aid], new)
                self._restarted.append(aid)
            else:
                self._effective[aid] = new
                self._track_own(aid)
            self._names[aid] = acct.name
        elif self._names.get(aid) != acct.name:
            # the broker's name arrived: the config may name the account by it
            self._names[aid] = acct.name
            self._settle(aid, self._effective[aid], self._resolve(self.config, acct))
        return self._effective[aid]

    def resolve(self, config, acct):
        """The rules `config` gives the account (None: not guarded), as a reload resolves them;
        nothing is kept (services/risk/preview.py: which accounts an edit concerns)."""
        return self._resolve(config, acct)

    def profile_of(self, acct) -> str:
        """The name of the profile an account's rules come from (for messages naming a table)."""
        key = (acct.account_id, acct.name)
        if key not in self._profiles:
            self._profiles[key] = self._find_profile(acct)
        return self._profiles[key]

    def _find_profile(self, acct) -> str:
        found = config_entry(self.config.accounts, acct.account_id, acct.name)
        return found.profile if found is not None else DEFAULT_PROFILE

    def listed(self, acct) -> bool:
        """Does the config list the account ([[accounts]]), or is it guarded as one the broker
        reports (a per-account edit needs `riskctl accounts add` first)?"""
        key = ("listed", acct.account_id, acct.name)
        if key not in self._profiles:
            self._profiles[key] = config_entry(self.config.accounts, acct.account_id,
                                               acct.name) is not None
        return self._profiles[key]

    def update(self, config, accounts, override: bool = False) -> list[str]:
        """A new config: apply what tightens now; returns what waits for the roll."""
        self.config = config
        self._profiles.clear()
        waiting = []
        for acct in accounts:
            aid = acct.account_id
            old = self.for_account(acct)
            new = self._resolve(config, acct)
            if override:
                self._effective[aid] = new
                self._pending.pop(aid, None)
                self._track_own(aid)
                continue
            names = self._settle(aid, old, new)
            waiting += [f"{aid}: {n}" for n in names]
        if waiting:
            log.warning("rule changes that loosen wait for the trading-day roll: %s",
                        ", ".join(waiting))
        return waiting

    def rules_of(self, accounts) -> dict[int, object]:
        """account id -> the rules in force for it (None: not guarded)."""
        return {acct.account_id: self.for_account(acct) for acct in accounts}

    def roll(self, now: int) -> None:
        for aid, (new, _names) in self._pending.items():
            self._effective[aid] = new
        self._pending.clear()
        for aid in list(self._effective):
            self._track_own(aid)
        self._off.clear()               # a new trading day: the config's rules, all of them
        self._kept.clear()              # a new trading day: what was kept has landed

    def _settle(self, aid: int, old, new) -> list[str]:
        """Rules `old` in force, config `new`: what tightens applies, what loosens waits (the
        config's value, replacing whatever waited before). Returns the names of the rules
        that wait."""
        if old is None and new is not None and aid in self._off:
            old = self._off.pop(aid)    # guarded again today: from the rules it had
        current, later, names = merge(old, new, self.own_line(aid))
        self._effective[aid] = current
        if later is not None or names:
            self._pending[aid] = (new, names)
        else:
            self._pending.pop(aid, None)
        self._track_own(aid)
        return names

    def _track_own(self, aid: int) -> None:
        """After the rules in force of an account changed: a parameter in force is the
        account's own when it has the config's value and the config sets it for the account,
        else (a value kept while the config's waits) as it was."""
        current = self._effective.get(aid)
        if current is None:
            self._own.pop(aid, None)
            return
        acct = self._accounts.get(aid)
        accounts = getattr(self.config, "accounts", None)   # a resolver of its own: none
        found = config_entry(accounts, aid, getattr(acct, "name", "")) \
            if acct is not None and accounts is not None else None
        own_now = dict(found.rules) if found is not None else {}
        config_rules = self._pending.get(aid, (None, []))[0] or current
        before = self._own.get(aid, {})
        out: dict[str, frozenset] = {}
        for rule in RULE_NAMES:
            a, b = getattr(current, rule), getattr(config_rules, rule)
            own = {f.name for f in attrs.fields(type(a))
                   if (f.name in own_now.get(rule, {}) if getattr(a, f.name) == getattr(b, f.name)
                       else f.name in before.get(rule, ()))}
            if own:
                out[rule] = frozenset(own)
        self._own[aid] = out

    def own(self, account_id: int) -> dict[str, frozenset]:
        """rule -> the parameters whose value in force is the account's own (see _own)."""
        return self._own.get(account_id, {})

    def owns(self) -> dict[int, dict[str, frozenset]]:
        """account id -> own(): for the store, beside the rules in force (a value kept across a
        restart keeps the word of the file it came from; _track_own replaces an account's
        entry whenever it changes, so the store compares them by identity)."""
        return dict(self._own)

    def restore_own(self, kept: dict[int, dict[str, frozenset]]) -> None:
        """own() of each account as saved today before a restart, beside the rules in force
        restore() was given: the kept value that differs from the file keeps its '*'."""
        self._own = {aid: dict(rules) for aid, rules in kept.items()}

    def in_force(self) -> dict[int, tuple[str, object]]:
        """account id -> (account name, rules in force) for the store: a restarted risk keeps
        enforcing them until the roll."""
        return {aid: (self._names.get(aid, ""), rules) for aid, rules in self._effective.items()}

    def off_rules(self) -> dict[int, object]:
        """account id -> the rules in force as an admin's disable --now stopped guarding it, this
        trading day (the store keeps them: an enable after a restart of risk starts from them)."""
        return dict(self._off)

    def restore_off(self, kept: dict[int, object]) -> None:
        self._off = dict(kept)

    def restore(self, kept: dict[int, object]) -> None:
        """The rules in force saved today before a restart: the config's looser values wait
        for the roll again, its stricter ones apply (they may have changed while risk was down)."""
        self._kept = dict(kept)
        self._restarted.clear()
        self._effective.clear()
        self._pending.clear()
        self._names.clear()
        self._own.clear()               # restore_own gives the saved word of each

    def restore_configured(self, configured: dict[int, object]) -> None:
        """The config's rules per account as risk read them before the restart, this trading
        day (restart_changes tells what the config changed meanwhile)."""
        self._configured_before = dict(configured)

    def configured(self) -> dict[int, object]:
        """account id -> the config's rules for it as risk read them (what waits, or what is in
        force when nothing waits), for the store: a restart tells what changed meanwhile."""
        out = {aid: rules for aid, rules in self._effective.items()}
        out.update({aid: new for aid, (new, _names) in self._pending.items()})
        return out

    def restart_changes(self) -> tuple[dict[int, dict], dict[int, tuple], dict[int, dict]]:
        """What the config changed while risk was down, for the accounts resolved since the
        restart (each said once): (in force now: {aid: {rule: {param: (old, new)}}}, what waits
        for the roll that did not wait before: as what_waits(), the loosenings that waited at
        the stop and wait no more: {aid: {rule: {param: (in force, no longer waiting)}}}). A
        tightening made offline is in force now (kept vs in force); a loosening waits (what
        waited before the stop, from the config then, vs what waits now); a waiting loosening
        set back, or replaced by a value in force now, is gone (round 21, warn21b: the start
        said the tightening, never that the waiting value was dropped). Without the config
        then (an older record) only what is in force now is said."""
        from services.risk.lastedit import dropped, replaced
        from services.risk.loosening import changed_now, new_waits
        if not self._restarted:
            return {}, {}, {}
        now: dict[int, dict] = {}
        fresh: dict[int, tuple] = {}
        gone: dict[int, dict] = {}
        for aid in self._restarted:
            kept, current = self._kept.get(aid), self._effective.get(aid)
            now.update(changed_now({aid: kept}, {aid: current}))
            if aid not in self._configured_before:
                continue
            _in_force, later, names = merge(kept, self._configured_before[aid],
                                            self.own_line(aid))
            before = {aid: (tuple(names), waiting_params(kept, later, names))} if names else {}
            after = {aid: (tuple(self.pending_for(aid)), self.waiting(aid))} \
                if aid in self._pending else {}
            fresh.update(new_waits(before, after))
            live = changed_now({aid: kept}, {aid: current})
            gone.update(dropped(before, after, live))
            for rule, params in replaced(before, after, live).get(aid, {}).items():
                gone.setdefault(aid, {}).setdefault(rule, {}).update(params)
        self._restarted.clear()
        return now, fresh, gone

    def what_waits(self) -> dict[int, tuple[tuple[str, ...], dict]]:
        """account id -> (rules waiting, their parameters now and waiting): every loosening that
        waits for the roll, to tell whether a config reload changed what waits (the notice
        'looser rule settings wait' goes out only then, not at every reload)."""
        return {aid: (tuple(self.pending_for(aid)), self.waiting(aid))
                for aid in sorted(self._pending)}

    def pending_for(self, account_id: int) -> list[str]:
        return list(self._pending.get(account_id, (None, []))[1])

    def waiting(self, account_id: int) -> dict[str, dict[str, tuple[object, object]]]:
        """rule -> {parameter: (value in force, value waiting for the roll)} of an account:
        what riskd keeps now and what a loosening will bring (screens and rules list)."""
        new, names = self._pending.get(account_id, (None, []))
        return waiting_params(self._effective.get(account_id), new, names)

    def apply_now(self, accounts, account_id: Optional[int] = None,
                  rule: str = "") -> list[tuple[int, str, dict]]:
        """The admin override: apply the waiting settings now, of every account or one, of
        every rule or one. Returns (account id, rule, {param: (old, new)}) for what it applied."""
        applied = []
        for acct in accounts:
            aid = acct.account_id
            if account_id is not None and aid != account_id:
                continue
            self.for_account(acct)          # resolved (a restart's kept rules settled)
            if aid not in self._pending:
                continue
            waiting = self.waiting(aid)
            new, names = self._pending[aid]
            chosen = [n for n in names if not rule or n == rule]
            if not chosen:
                continue
            current = self._effective.get(aid)
            if new is None and current is not None:     # guarding stops now (disable --now)
                self._off[aid] = current
            if current is None or new is None or len(chosen) == len(names):
                self._effective[aid] = new
                self._pending.pop(aid)
            else:
                self._effective[aid] = attrs.evolve(current, **{n: getattr(new, n)
                                                               for n in chosen})
                self._pending[aid] = (new, [n for n in names if n not in chosen])
            if aid in self._kept:
                self._kept[aid] = self._effective[aid]
            self._track_own(aid)
            applied += [(aid, n, waiting.get(n, {})) for n in chosen]
        return applied


def waiting_params(current, new, names) -> dict[str, dict[str, tuple[object, object]]]:
    """rule -> {parameter: (in force, waiting)} of the rules `names` that wait: current the
    rules in force, new the config's (None for either: nothing)."""
    out: dict[str, dict[str, tuple[object, object]]] = {}
    if new is None or current is None:
        return out
    for rule in names:
        if rule == UNGUARDED_AT_ROLL:
            continue
        a, b = getattr(current, rule), getattr(new, rule)
        diff = {f.name: (getattr(a, f.name), getattr(b, f.name))
                for f in attrs.fields(type(a)) if getattr(a, f.name) != getattr(b, f.name)}
        if diff:
            out[rule] = diff
    return out


def resolve_account_rules(config, acct):
    """The RulesConfig of an account (None when the config says not to guard it)."""
    found = config_entry(config.accounts, acct.account_id, acct.name)
    if found is not None and not found.enabled:
        return None
    return effective_rules(config, found if found is not None else acct.account_id)
