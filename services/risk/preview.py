"""What a candidate config would make risk do right now, without doing it (RulesPreviewRequest).

Fresh-user trial: an admin's typo in `riskctl rules set 1001 drawdown_guard line ...` (any
tightening that puts an account past a limit now) was applied live at once: riskd flattened the
account and locked it out, with no question. The supervisor now asks risk first
(services/supervisor/commands/rule_confirm.py) and asks the admin when risk would act.

How: a twin of the engine (a deep copy of the accounts whose rules the candidate changes, with
lockouts, outbox and rule settings) takes
the candidate config exactly as RiskWorker.on_config takes a reload (settings.update, the
accounts guarded again, the symbol recheck, the rules whose settings are in force now judged
at once: services/risk/rejudge.py), and the decisions it makes are the answer. The twin is
dropped: nothing is committed, published, sent or alerted, and the worker's own engine is not
touched. Only enforce-mode decisions that act count (a command sent, a lockout taken or
extended); an alert-mode rule, a warning or a breach already acted on does not.
"""
from __future__ import annotations

import copy
import logging

from services.risk import loosening, rejudge
from services.risk.outcome import Outcome, merge
from shared.config.live import apply_live
from shared.lockwords import listed_lock
from shared.config.load import load_config
from shared.messages.risk import (ACTION_NONE, ENFORCE, RulesPreviewReply,
                                  RulesPreviewRequest)
from shared.messages.system import Reply, error, ok

log = logging.getLogger(__name__)


def concerned(engine, config) -> set:
    """The accounts whose rules the candidate changes (resolved as a reload resolves them): the
    only ones a reload can act on at once; every other account's rules stay as they are."""
    settings = engine.settings
    resolve = getattr(settings, "resolve", None)
    if resolve is None:                 # fixed rules (tests, tools): every account
        return set(engine.accounts)
    return {aid for aid, acct in engine.accounts.items()
            if resolve(config, acct) != settings.for_account(acct)}


def twin_of(engine, only=None):
    """A deep copy of the engine (of the accounts in `only`, None: all) that shares only what
    it never changes (the calendar, the rule objects, the config in force, other accounts'
    state): acting on it leaves the engine as it was. Copying only the concerned accounts
    keeps the question cheap at 500 accounts (their trades are most of the state)."""
    settings = engine.settings
    memo = {id(engine.calendar): engine.calendar, id(engine.rules): engine.rules}
    for rule in engine.rules.values():
        memo[id(rule)] = rule
    config = getattr(settings, "config", None)
    if config is not None:
        memo[id(config)] = config
    source = engine
    if only is not None:
        source = copy.copy(engine)
        source.accounts = {aid: a for aid, a in engine.accounts.items() if aid in only}
        memo[id(engine)] = engine       # its bound methods (names of accounts) only read
        for aid, acct in engine.accounts.items():   # the settings know every account: the
            if aid not in only:                     # others are shared, never copied
                memo[id(acct)] = acct
    return copy.deepcopy(source, memo)


def acting(out: Outcome) -> list:
    """The decisions of an outcome that act: enforce mode, and a command sent (not suppressed)
    or a lockout taken or extended for its account (not a listed symbol's alone: listed_lock)."""
    locked = {c.lockout.account_id for c in out.lockouts if c.change in ("added", "extended")}
    acts = []
    for d in out.decisions:
        if d.mode != ENFORCE or listed_lock(d):
            continue
        sends = not d.suppressed and d.action != ACTION_NONE
        locks = d.lock is not None and d.account_id in locked
        if sends or locks:
            acts.append(d)
    return acts


def preview(engine, config, now: int, holidays=None) -> list:
    """The acting decisions the twin makes under `config` (a Config, as the worker would run
    it), in the order risk would make them. holidays: the holiday files of `config`."""
    only = concerned(engine, config)
    if not only:
        return []
    twin = twin_of(engine, only)
    settings = twin.settings
    accounts = list(twin.accounts.values())
    before = settings.rules_of(accounts)
    settings.update(config, accounts)
    live = loosening.changed_now(before, settings.rules_of(accounts))
    if holidays is not None:
        twin.holiday_files = holidays
    out = twin.guarding_changed(before, now, "")
    merge(out, twin.recheck(now))
    merge(out, twin.rejudge(rejudge.changed_rules(live), now))
    return acting(out)


class Previews:
    """Risk's answer to RulesPreviewRequest (registered by the worker)."""

    def __init__(self, worker):
        self.w = worker
        worker.handle(RulesPreviewRequest, self._on_preview)

    def _on_preview(self, req: RulesPreviewRequest) -> Reply:
        from services.risk.app import holiday_files       # noqa: PLC0415 -- app imports us
        w = self.w
        try:
            candidate = load_config(w.loaded.path, text_from=req.path).config
        except Exception as exc:  # noqa: BLE001 -- a config error is the answer, not a crash
            return error("config_invalid", f"risk cannot read the candidate config: {exc}")
        effective, _restart = apply_live(w.config, candidate)
        quiet = logging.root.manager.disable
        logging.disable(logging.WARNING)   # the twin's steps are not risk's: no log lines
        try:
            acts = preview(w.engine, effective, w.clock.now_ns(),
                           holiday_files(effective, w.loaded.path))
        except Exception as exc:  # noqa: BLE001 -- never a crash of risk over a question
            logging.disable(quiet)
            log.exception("risk could not preview a config edit")
            return error("internal", f"risk could not preview the edit: {exc}")
        finally:
            logging.disable(quiet)
        return ok(RulesPreviewReply(decisions=acts))
