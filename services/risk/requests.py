"""Risk's answers on its control socket: status, lockouts, unlock, self-lockout (and an admin's
lockout of an account, AdminLockRequest: the same, as the admin's), history, rules,
the admin override (and its `accounts disable --now` form, disable=True: that account only,
services/risk/disabled.py). Accounts are named by id, broker name or configured display name."""
from __future__ import annotations

import logging
from typing import Optional

from services.risk import disabled, lockstays, loosening, marketwait, rejudge
from services.risk.views import account_rules, account_status
from services.risk.words import ASKED_LOCKOUTS, self_lock_answer
from shared import showtime
from shared.accountname import account_name, called
from shared.config.accounts import DEFAULT_PROFILE, AmbiguousAccount, find_account, one_of
from shared.plural import plural
from shared.rulenumbers import setting_text
from shared.messages.risk import (AdminLockRequest, HistoryRequest, LockoutList, LockoutsRequest,
                                  RiskStatusReply, RiskStatusRequest, RulesOverrideRequest,
                                  RulesReply, RulesRequest, SelfLockRequest, UnlockRequest)
from shared.messages.system import Reply, error, ok
from shared.pastwords import also_words, past_words, stays_words

log = logging.getLogger(__name__)


PROFILE = "profile:"


def profile_of_ref(ref: str) -> Optional[str]:
    """The profile an override names ('profile:NAME'), None for an account or every one."""
    text = (ref or "").strip()
    return text[len(PROFILE):].strip() if text.startswith(PROFILE) else None


class Requests:
    def __init__(self, worker):
        self.w = worker
        for request, handler in ((RiskStatusRequest, self._on_status),
                                 (LockoutsRequest, self._on_lockouts),
                                 (UnlockRequest, self._on_unlock),
                                 (SelfLockRequest, self._on_self_lock),
                                 (AdminLockRequest, self._on_self_lock),
                                 (HistoryRequest, self._on_history),
                                 (RulesRequest, self._on_rules),
                                 (RulesOverrideRequest, self._on_override)):
            worker.handle(request, handler)

    def _resolve(self, ref: str) -> Optional[int]:
        """An account id from its id, broker name or configured display name; None when no
        account, or more than one, goes by it (_unknown says which)."""
        try:
            return self._named(ref)
        except AmbiguousAccount:
            return None

    def _named(self, ref: str) -> Optional[int]:
        """_resolve's id; AmbiguousAccount for a name two accounts go by (fresh-user trial 15b:
        a display name that is another account's, or another account's broker name, picked
        one of them silently)."""
        text = (ref or "").strip()
        if text.isdigit() and int(text) in self.w.engine.accounts:
            return int(text)
        accounts = self.w.config.accounts
        candidates = [(account_name(accounts, aid, acct.name), aid)
                      for aid, acct in self.w.engine.accounts.items()
                      if text and text.lower() == (acct.name or "").lower()]
        found = find_account(self.w.config.accounts, text) if text else None
        if found is not None and found.id in self.w.engine.accounts:
            candidates.append((found.label, found.id))
        return one_of(text, candidates)

    def _ids(self, ref: str) -> Optional[list[int]]:
        """Every known account for '', else the one named; None when it is unknown."""
        if not (ref or "").strip():
            return sorted(self.w.engine.accounts)
        aid = self._resolve(ref)
        return None if aid is None else [aid]

    def _unknown(self, ref) -> Reply:
        try:
            self._named(ref)
        except AmbiguousAccount as exc:
            return error("ambiguous_account", str(exc))
        known = ", ".join(self.w.engine.account_name(a, acct.name)
                          for a, acct in sorted(self.w.engine.accounts.items())) or "none yet"
        return error("unknown_account", f"risk does not know account {ref!r} (known: {known})")

    def _on_status(self, req: RiskStatusRequest) -> Reply:
        ids = self._ids(req.account)
        if ids is None:
            return self._unknown(req.account)
        now = self.w.clock.now_ns()
        return ok(RiskStatusReply(accounts=[account_status(self.w.engine, a, now)
                                            for a in ids],
                                  market_synced=self.w.market_synced,
                                  market_heard_ns=self.w.market_heard_ns,
                                  unreported=self.unreported() if not req.account.strip()
                                  else []))

    def unreported(self) -> list[str]:
        """Configured, enabled accounts the broker does not report for this login: 'Demo 3
        (1003)'. Said only while risk holds the broker's state (a complete snapshot); with
        shards, each shard says its own ids (an account named only by its broker name: the
        shard that would own it cannot be told, so it is left out)."""
        if not self.w.market_synced:
            return []
        names = {(a.name or "").lower() for a in self.w.engine.accounts.values()}
        out = []
        for acct in self.w.settings.config.accounts:      # the config in force
            if not acct.enabled:
                continue
            if acct.id is not None:
                if acct.id in self.w.engine.accounts or not self.w.owns(acct.id):
                    continue
            elif (acct.name or "").lower() in names or getattr(self.w, "shards", 1) > 1:
                continue
            out.append(called(acct.label, acct.id))
        return out

    def _on_lockouts(self, req: LockoutsRequest) -> Reply:
        ids = self._ids(req.account)
        if ids is None:
            return self._unknown(req.account)
        # a lockout of an account risk does not guard is not enforced: the list says so
        return ok(LockoutList(lockouts=[lk for a in ids for lk in self.w.engine.lockouts.all(a)],
                              not_guarded={str(a): self.w.engine.not_guarded(a) for a in ids
                                           if self.w.engine.not_guarded(a)}))

    def _on_unlock(self, req: UnlockRequest) -> Reply:
        if not req.reason.strip():
            return error("bad_request", "an unlock needs a reason (--reason TEXT)")
        aid = self._resolve(req.account)
        if aid is None:
            return self._unknown(req.account)
        out, refusal = self.w.engine.unlock(aid, req.symbol.upper() if req.symbol else None,
                                          req.by, req.reason, self.w.clock.now_ns(),
                                          rule=req.rule.strip().lower() if req.rule else None)
        if refusal:
            return error("refused", refusal)
        self.w.apply(out)
        now = self.w.clock.now_ns()
        zone = showtime.zone_of(self.w.config)
        warnings = [past_words(p, showtime.at(p.until_ns, zone, now) if p.until_ns else "")
                    for c in out.lockouts for p in c.still_past]
        also = [also_words(c.also_rule, showtime.at(c.also_until_ns, zone, now))
                for c in out.lockouts if c.also_rule and c.also_until_ns]
        return ok(LockoutList(lockouts=[c.lockout for c in out.lockouts]),
                  reason=f"{plural(len(out.lockouts), 'lockout')} ended"
                         + stays_words(out.lockouts, self.w.engine.account_name(aid), zone,
                                       now)
                         + "".join(f"\nNOTE: {w}" for w in also)
                         + "".join(f"\nWARNING: {w}" for w in warnings))

    def _on_self_lock(self, req) -> Reply:
        """A SelfLockRequest (the trader's own) or an AdminLockRequest (the admin's lockout,
        by its admin: the supervisor let only an admin session send it)."""
        aid = self._resolve(req.account)
        if aid is None:
            return self._unknown(req.account)
        admin = (req.by or "admin") if isinstance(req, AdminLockRequest) else ""
        out, refusal = self.w.engine.self_lock(aid, self.w.clock.now_ns(), until_ns=req.until_ns,
                                             session=req.session, reason=req.reason,
                                             admin=admin)
        if refusal:
            return error("bad_request", refusal)
        self.w.apply(out)
        now = self.w.clock.now_ns()
        locks = self.w.engine.lockouts.all(aid)
        mine = [d for d in out.decisions if d.rule in ASKED_LOCKOUTS]
        zone = showtime.zone_of(self.w.config)
        ends = [lk.until_ns for lk in locks]
        waits = marketwait.closed_words(self.w.engine.calendar,
                                        self.w.engine.waits_for_market(aid), now, zone,
                                        None if not ends or not all(ends) else max(ends),
                                        calendar_known=self.w.config.broker.kind != "sim")
        reason = (self_lock_answer(mine[-1], locks, self.w.engine.calendar.next_roll(now),
                                   zone, now, None if req.session else req.until_ns, waits)
                  if mine else "locked; only an admin can end it early")
        return ok(LockoutList(lockouts=locks), reason=reason)

    def _on_history(self, req: HistoryRequest) -> Reply:
        ids = self._ids(req.account)
        if ids is None:
            return self._unknown(req.account)
        account_id = ids[0] if req.account.strip() else None
        reply = self.w.store.history(account_id, req.since_ns, req.limit)
        engine = self.w.engine
        for aid in ids:         # the failed actions' end so far: tried again, or ended
            reply.failing.extend(engine.failing_views(aid))
            reply.ended.update(engine.ended_views(aid))
        return ok(reply)

    def _on_override(self, req: RulesOverrideRequest) -> Reply:
        if not req.reason.strip():
            return error("bad_request", "an override needs a reason (--reason TEXT)")
        account_id = None
        accounts = list(self.w.engine.accounts.values())
        profile = profile_of_ref(req.account)
        if profile is not None and not req.disable:
            # every account running the profile: what a profile edit's loosening waits on
            # (trial 13b: `rules set profile:default ...` hinted at overrides, and `rules
            # override --account profile:default` was refused as an unknown account)
            known = sorted({DEFAULT_PROFILE, *self.w.config.profiles})
            if profile not in known:
                return error("unknown_profile", f"no profile named {profile!r}; profiles: "
                             + ", ".join(known))
            profile_of = getattr(self.w.settings, "profile_of", lambda _a: DEFAULT_PROFILE)
            accounts = [a for a in accounts if profile_of(a) == profile]
        elif req.account.strip():
            account_id = self._resolve(req.account)
            if account_id is None:
                return self._unknown(req.account)
        if req.disable:
            if account_id is None:
                return error("bad_request", "a disable --now names its account")
            if disabled.NO_LONGER not in " ".join(self.w.settings.pending_for(account_id)):
                # the edit is not read yet: the reload that reads it applies it now
                self.w.disabling.arm(account_id, req.by, req.reason)
                return ok(reason="armed: the disable applies when risk reads the edit")
            return ok(reason=self.disable_now(account_id, req.by, req.reason))
        before = self.w.settings.rules_of(accounts)
        applied = self.w.settings.apply_now(accounts, account_id, req.rule)
        self._guarding(before, req.by, req.reason)
        self.w._status_dirty.update(self.w.engine.accounts)
        if applied:
            self.w.store.save_marks(self.w.engine)     # saved before the answer: survives a restart
        said = [override_line(self.w.engine, aid, rule, diff) for aid, rule, diff in applied]
        changes: dict[int, dict] = {}
        for aid, rule, diff in applied:
            changes.setdefault(aid, {})[rule] = diff
        # a symbol the list in force no longer holds is free now (its lockout's only end)
        lifted = self.w.engine.lift_unlisted(changes, self.w.clock.now_ns())
        if lifted.durable or lifted.dirty:
            self.w.apply(lifted)
        # what is in force now judges what is held now (services/risk/rejudge.py)
        judged = self.w.engine.rejudge(rejudge.changed_rules(changes), self.w.clock.now_ns())
        if judged.durable or judged.dirty:
            self.w.apply(judged)
        lines, line_accounts = loosening.now_lines_of(
            changes, self.w.engine.account_name, f" (admin override by {req.by}: {req.reason})")
        for aid, rule, _diff in applied:
            if disabled.NO_LONGER in rule:      # said in its own alert, in its own words
                self.off_alert(aid)
        if lines:          # the trader's limits changed: their phone hears it (its accounts')
            self.w._notify("rules_in_force_now", "info", loosening.NOW_TITLE, lines,
                           line_accounts)
        log.warning("%s applied waiting rule settings now (%s): %s", req.by, req.reason,
                    "; ".join(said) or "nothing was waiting")
        if not said:
            return ok(reason="nothing was waiting: every rule setting is already in force")
        now = self.w.clock.now_ns()
        stays = lockstays.staying_lines(self.w.engine, changes, now,
                                        showtime.zone_of(self.w.config))
        # each parameter is one change (trial22c: "1 waiting change taken early: ...
        # per_minute_cooldown 120 -> 30, per_session_cooldown 3600 -> 600"); a change with no
        # parameter (an account no longer guarded) is one
        count = sum(len(diff) or 1 for _aid, _rule, diff in applied)
        return ok(reason=f"rule settings applied now; {plural(count, 'waiting change')} "
                         f"taken early: " + "; ".join(said)
                         + "".join(f"\n  {line}" for line in stays))

    def _guarding(self, before: dict, by: str, reason: str) -> None:
        """Rules in force changed by an admin: who stopped guarding an account is kept, an
        account guarded again closes what it opened while disabled (services/risk/disabled.py)."""
        out = self.w.engine.guarding_changed(before, self.w.clock.now_ns(), by, reason)
        if out.durable or out.dirty:
            self.w.apply(out)

    def disable_now(self, account_id: int, by: str, reason: str) -> str:
        """`accounts disable ACCOUNT --now`: only this account's waiting disable applies now
        (never another account's waiting loosening: trial 2026-12-06), one alert says so."""
        accounts = list(self.w.engine.accounts.values())
        before = self.w.settings.rules_of(accounts)
        applied = self.w.settings.apply_now(accounts, account_id, "")
        self._guarding(before, by, reason)
        self.w._status_dirty.add(account_id)
        self.w.store.save_marks(self.w.engine)
        self.off_alert(account_id)
        said = "; ".join(override_line(self.w.engine, a, r, d) for a, r, d in applied)
        log.warning("%s disabled account %s now (%s): %s", by, account_id, reason, said)
        name = self.w.engine.account_name(account_id)
        return f"{name} is no longer guarded, now: {self.w.engine.not_guarded(account_id)}"

    def off_alert(self, account_id: int) -> None:
        engine = self.w.engine
        if not engine.not_guarded(account_id):
            return
        now = self.w.clock.now_ns()
        zone = showtime.zone_of(self.w.config)
        acct = engine.accounts.get(account_id)
        name = engine.account_name(account_id, acct.name if acct else "")
        lines = disabled.off_lines(name, engine.off.get(account_id),
                                   disabled.lock_words(engine, account_id, now), zone)
        # every line is about this account: a chat that does not see it gets nothing
        self.w._notify("account_not_guarded", "warning", disabled.OFF_TITLE, lines,
                       line_accounts=[account_id] * len(lines))

    def _on_rules(self, req: RulesRequest) -> Reply:
        ids = self._ids(req.account)
        if ids is None:
            return self._unknown(req.account)
        now = self.w.clock.now_ns()
        # before any reload: a digest no edit has, so an edit's answer never takes this
        # risk's empty record (a restart meanwhile) for what the edit did
        last = getattr(self.w, "last_edit", None) or (
            "start:" + (getattr(getattr(self.w, "loaded", None), "digest", "") or ""), {})
        return ok(RulesReply(accounts=[account_rules(self.w.engine, a, now, last)
                                       for a in ids]))


def override_line(engine, account_id: int, rule: str, diff: dict) -> str:
    """'Demo 1 (id 1001) max_contracts: limit 5 -> 6' for the override's answer (numbers as screens
    show them: shared/rulenumbers.py)."""
    acct = engine.accounts.get(account_id)
    # named as screens and alerts name it (trial 2026-12-05: the broker's SIM-DEMO-2 here)
    who = engine.account_name(account_id, acct.name if acct is not None else "")
    changes = ", ".join(f"{p} {setting_text(rule, p, a)} -> {setting_text(rule, p, b)}"
                        for p, (a, b) in diff.items())
    if rule.startswith("(") and rule.endswith(")"):     # not a rule: '(account no longer ...)'
        return f"{who}: {rule[1:-1]}" + (f", {changes}" if changes else "")
    return f"{who} {rule}" + (f": {changes}" if changes else "")
