"""What an edit of one rule parameter answers and what the audit trail records: the same text,
saying what risk really does with it (applied live, or a loosening kept until the roll).
Trial finding: `rules set 1001 max_contracts limit 8` answered "riskd keeps limit 5 until the
roll" while audit.log recorded "saved (applied live)". risk is stood in for by its RulesReply
(what it answers is the fact tested); the supervisor's edit path and audit are the real code."""
from __future__ import annotations

import logging
from decimal import Decimal
from types import SimpleNamespace

from services.supervisor.sessions import Sessions

from services.supervisor.audit import audited
from services.supervisor.commands import config_set, rules_enable, rules_set
from services.supervisor.commands.rule_outcome import (RuleEdit, outcome_lines, reason_of,
                                                      rule_edit_of)
from shared.config.accounts import AccountConfig
from shared.config.edit import EditResult
from shared.config.notify import NotifyConfig
from shared.config.sections import SupervisorConfig
from shared.config.trading_day import TradingDayConfig
from shared.messages.config import ConfigSet, RulesEnable, RulesSet
from shared.messages.risk import (AccountRules, Decision, HistoryReply, HistoryRequest,
                                  RulesPreviewReply, RulesPreviewRequest, RulesReply,
                                  RuleValue)
from shared.messages.system import error, ok

NOW_NS = 1_796_437_894_000_000_000          # 2026-12-05 02:31:34 UTC, a Saturday


def account(aid, name, limit="5", waiting=None, enabled=True, rule="max_contracts"):
    return AccountRules(account_id=aid, name=name, rules=[RuleValue(
        rule=rule, enabled=enabled, mode="enforce", params={"limit": limit},
        waiting=waiting or {})])


class Sup:
    """The supervisor as run_edit sees it: the reload, the config, and risk's answers in turn."""

    def __init__(self, tmp_path, readings):
        self.loaded = SimpleNamespace(path=str(tmp_path / "riskd.toml"), data_dir=str(tmp_path))
        self.config = SimpleNamespace(supervisor=SupervisorConfig(risk_shards=1),
                                      notify=NotifyConfig(), trading_day=TradingDayConfig(),
                                      accounts=[AccountConfig(id=1001, name="SIM-DEMO-1")])
        self.calendar = TradingDayConfig().calendar()
        self.clock = SimpleNamespace(now_ns=lambda: NOW_NS, monotonic=lambda: self.mono)
        self.mono = 0.0
        self.sessions = Sessions(self.clock)      # a rule edit ends none
        self.readings = list(readings)
        self.decisions = []       # risk's history since the edit
        self.history_since = []
        self.asked = 0
        self.timers = []          # one-shot timers waiting: (due, callback), as Worker.after
        self.repeating = []       # every(): a rule edit must register none
        # risk is asked first what the edit would do now (rule_confirm.py): nothing, here
        self.slots = {"risk": None}
        self.run_dir = str(tmp_path)
        self.previews = []        # risk's answers to RulesPreviewRequest: acting decisions
        self.reloads = 0
        self.notes = []           # ConfigChanged.note of each reload: who changed it, why

    def every(self, interval, callback, first=None):
        self.repeating.append((interval, callback))

    def after(self, delay, callback):
        self.timers.append((self.mono + delay, callback))

    def tick(self):
        """One timer round, RECHECK_EVERY later: the one-shots due run and are gone."""
        self.mono = round(self.mono + 0.1, 6)
        due = [t for t in self.timers if t[0] <= self.mono + 1e-9]
        self.timers = [t for t in self.timers if t not in due]
        for _due, callback in due:
            callback()

    def reload_config(self, reason="", authenticated=False, note=""):
        self.reloads += 1
        self.notes.append(note)
        return ok(reason="config applied")

    def forward(self, worker, request, respond, timeout=3.0):
        assert worker == "risk"
        if isinstance(request, RulesPreviewRequest):  # before the edit: what it would do now
            respond(ok(RulesPreviewReply(decisions=list(self.previews))))
            return
        if isinstance(request, HistoryRequest):       # what risk decided since the edit
            self.history_since.append(request.since_ns)
            respond(ok(HistoryReply(decisions=list(self.decisions))))
            return
        self.asked += 1
        respond(self.readings.pop(0) if len(self.readings) > 1 else self.readings[0])


def run(command, sup, request, monkeypatch, caplog):
    """Run the command with its edit replaced by a written file; (reply, audit outcome)."""
    module = {RulesSet: rules_set, RulesEnable: rules_enable, ConfigSet: config_set}[type(request)]
    monkeypatch.setattr(module, "run_edit", _no_write(module.run_edit))
    got = []
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        command.execute(sup, request, audited(got.append, type(request).__name__, "admin",
                                              "admin:trader", request))
        for _ in range(100):
            if got:
                break
            sup.tick()
    assert len(got) == 1
    outcomes = [r.outcome for r in caplog.records if getattr(r, "audit", False)]
    return got[0], outcomes[-1]


def _no_write(run_edit, changes=("accounts[0].rules.max_contracts.limit: 5 -> 8",)):
    """changes: what the edit changed in the file (none: the file already held the value)."""
    def patched(sup, respond, key, edit, rule_edit=None, **kw):
        return run_edit(sup, respond, key,
                        lambda p, b, dry_run=False: EditResult(
                            path=p, backup="", digest="", text="new" if dry_run else "",
                            changes=changes,
                            changed_keys=("accounts[0].rules.max_contracts.limit",)
                            if changes else ()),
                        rule_edit, **kw)
    return patched


def test_a_loosening_is_recorded_as_waiting_for_the_roll_like_the_reply(tmp_path, monkeypatch,
                                                                        caplog):
    # risk first answers before it took the file, then with the loosening waiting
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")])),
                         ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1",
                                                         waiting={"limit": "8"})]))])
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="1001", rule="max_contracts", param="limit", value="8", reason="loosen"),
        monkeypatch, caplog)
    assert reply.reason.startswith("SIM-DEMO-1 (id 1001) max_contracts.limit: saved; SIM-DEMO-1 (id 1001): riskd keeps "
                                   "limit 5 until the roll at Mon 17:00 CST (a loosening "
                                   "waits)"), reply.reason
    assert outcome == f"ok: {reply.reason}"
    assert "applied live" not in outcome
    # asked again once, and no timer is left behind once it is answered (the old later()
    # registered a repeating 0.1 s timer that stayed for the supervisor's whole life)
    assert sup.asked == 2 and sup.timers == [] and sup.repeating == []


def test_risk_never_showing_the_edit_is_asked_again_until_the_deadline_only(tmp_path,
                                                                           monkeypatch, caplog):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="1001", rule="max_contracts", param="limit", value="8"), monkeypatch, caplog)
    assert outcome.endswith("saved; risk has not confirmed it yet: see riskctl rules list")
    assert 15 <= sup.asked <= 22                                # every 0.1 s for 2 s
    assert sup.timers == [] and sup.repeating == []              # then nothing is left


def test_a_tightening_is_recorded_as_applied_live(tmp_path, monkeypatch, caplog):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1", limit="4")]))])
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="SIM-DEMO-1", rule="max_contracts", param="limit", value="4"), monkeypatch, caplog)
    assert outcome == ("ok: SIM-DEMO-1 (id 1001) max_contracts.limit: saved; applied live on SIM-DEMO-1 (id 1001)"
                       "\n  nothing held breaks it now: no action")
    assert reply.reason == outcome[len("ok: "):]


def test_no_action_says_the_rules_reading_now_against_the_new_limit(tmp_path, monkeypatch,
                                                                     caplog):
    """trial14b: `rules set 1002 daily_unrealized_loss limit 1` answered only "nothing held
    breaks it now: no action"; 0.6 s later a price move put MNQ at the limit and the rule
    closed it. The answer says the rule's own reading when the edit applied, against the new
    limit, and that the rule acts the moment it is reached."""
    reading = AccountRules(account_id=1001, name="SIM-DEMO-1", rules=[RuleValue(
        rule="daily_unrealized_loss", enabled=True, mode="enforce", params={"limit": "1"},
        value=Decimal("0.50"), limit=Decimal("-1"), progress=0.0,
        detail="CON.F.US.MNQ.Z26 open PnL 0.50")])
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[reading]))])
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="SIM-DEMO-1", rule="daily_unrealized_loss", param="limit", value="1"),
        monkeypatch, caplog)
    assert reply.reason.endswith(
        "\n  nothing held breaks it now: no action (SIM-DEMO-1 (id 1001): MNQ open PnL 0.50, "
        "limit -1.00); the rule acts the moment the account reaches it"), reply.reason
    assert outcome == f"ok: {reply.reason}"


def test_a_tightening_names_the_reduce_it_caused_at_once(tmp_path, monkeypatch, caplog):
    """Fresh-user trial 2026-12-06: `rules set 1001 max_contracts limit 2` answered "applied
    live on Demo 1" while risk reduced MNQ by 2 that second: the answer names it."""
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1", limit="2")]))])
    sup.decisions = [
        Decision(id="d1", ts_ns=NOW_NS + 5_000_000, rule="max_contracts", account_id=1001,
                 action="reduce_position", contract_id="CON.F.US.MNQ.Z26", size=2,
                 what="reduce MNQ by 2"),
        Decision(id="d0", ts_ns=NOW_NS - 60 * 10**9, rule="max_contracts", account_id=1001,
                 action="reduce_position", what="reduce MES by 1"),          # before the edit
        Decision(id="d2", ts_ns=NOW_NS + 6_000_000, rule="daily_net_loss", account_id=1001,
                 action="flatten", what="flatten: close 1 position")]        # another rule's
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="SIM-DEMO-1", rule="max_contracts", param="limit", value="2"), monkeypatch, caplog)
    assert reply.reason == ("SIM-DEMO-1 (id 1001) max_contracts.limit: saved; applied live on SIM-DEMO-1 (id 1001)"
                            "\n  acted at once on SIM-DEMO-1 (id 1001): reduce MNQ by 2 (sent now; "
                            "`riskctl history` shows its outcome)"), reply.reason
    assert outcome == f"ok: {reply.reason}"
    assert sup.history_since == [NOW_NS]


def test_disable_and_config_set_say_the_same_as_their_audit(tmp_path, monkeypatch, caplog):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1",
                                                         waiting={"enabled": "false"})]))])
    reply, outcome = run(rules_enable.COMMAND, sup, RulesEnable(
        target="SIM-DEMO-1", rule="max_contracts", enabled=False), monkeypatch, caplog)
    assert "SIM-DEMO-1 (id 1001): riskd keeps the rule on until the roll" in outcome, outcome
    assert outcome == f"ok: {reply.reason}"
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1",
                                                         waiting={"limit": "9"})]))])
    reply, outcome = run(config_set.COMMAND, sup, ConfigSet(
        key="accounts[0].rules.max_contracts.limit", value="9"), monkeypatch, caplog)
    assert "SIM-DEMO-1 (id 1001): riskd keeps limit 5 until the roll" in outcome, outcome
    assert outcome == f"ok: {reply.reason}"


def test_risk_silent_is_never_recorded_as_applied(tmp_path, monkeypatch, caplog):
    sup = Sup(tmp_path, [error("timeout", "risk did not answer within 1 s")])
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="1001", rule="max_contracts", param="limit", value="8"), monkeypatch, caplog)
    assert outcome == ("ok: SIM-DEMO-1 (id 1001) max_contracts.limit: saved; risk has not confirmed it yet: "
                       "see riskctl rules list")


def test_outcome_lines_name_each_account_the_edit_concerns():
    readings = [account(1001, "SIM-DEMO-1", waiting={"limit": "8"}),
                account(1002, "SIM-DEMO-2", limit="8"), account(1003, "OTHER", limit="3")]
    lines, settled = outcome_lines(RuleEdit("profile:default", "max_contracts", "limit", "8.0"),
                                   readings, "17:00 CST")
    assert settled
    assert lines[0].startswith("SIM-DEMO-1 (id 1001): riskd keeps limit 5 until the roll at 17:00 CST")
    assert lines[1] == "applied live on SIM-DEMO-2 (id 1002)"
    # the account with a value of its own is named as not changed (trial: left out silently)
    assert lines[2] == ("not changed on OTHER (id 1003) at limit 3: its own value (set for that "
                        "account, or it runs another profile)")
    # no account shows the edit: risk may not have read it yet, not settled; the answer says
    # both (second trial: only "not confirmed" when every account kept a value of its own)
    assert "every account keeps a value of its own" in reason_of("profile:default x.limit", [])
    assert reason_of("1001 x.limit", []).endswith("risk has not confirmed it yet: see riskctl "
                                                  "rules list")
    assert outcome_lines(RuleEdit("profile:default", "max_contracts", "limit", "8"),
                         [account(1003, "OTHER", limit="3")], "x") == ([], False)
    assert outcome_lines(RuleEdit("1001", "max_contracts", "limit", "8"),
                         [account(1001, "A")], "x") == ([], False)
    assert outcome_lines(RuleEdit("1001", "max_contracts", "limit", "8"), [], "x")[1]


def test_the_value_kept_reads_as_screens_show_it():
    # trial 2026-12-05: "riskd keeps limit 250" while every screen showed 250.00 / -3,000.00
    lines, _ = outcome_lines(RuleEdit("1001", "daily_realized_loss", "limit", "3000"),
                             [account(1001, "SIM-DEMO-1", limit="250", waiting={"limit": "3000"},
                                      rule="daily_realized_loss")], "17:00 CST")
    assert lines[0].startswith("SIM-DEMO-1 (id 1001): riskd keeps limit 250.00 until the roll")


def test_the_answer_names_accounts_as_screens_do_and_the_override_takes_the_id():
    # trial 2026-12-05: "saved; applied live on SIM-DEMO-2", "--account SIM-DEMO-2" while
    # every screen and alert said "Demo 2"
    names = {"1001": "Demo 1", "SIM-DEMO-1": "Demo 1", "1002": "Demo 2", "SIM-DEMO-2": "Demo 2"}
    readings = [account(1001, "SIM-DEMO-1", waiting={"limit": "8"}),
                account(1002, "SIM-DEMO-2", limit="8")]
    lines, _ = outcome_lines(RuleEdit("profile:default", "max_contracts", "limit", "8"),
                             readings, "17:00 CST", names)
    assert lines[0].startswith("Demo 1 (id 1001): riskd keeps limit 5 until the roll")
    assert "`riskctl rules override --account 1001 --rule max_contracts" in lines[0]
    assert lines[1] == "applied live on Demo 2 (id 1002)"


def test_rule_edit_of_config_keys():
    accounts = [AccountConfig(id=1001, name="SIM-DEMO-1")]
    assert rule_edit_of("profiles.default.rules.max_contracts.limit", "6", accounts) == \
        RuleEdit("profile:default", "max_contracts", "limit", "6")
    assert rule_edit_of("accounts[0].rules.max_contracts.mode", "alert", accounts) == \
        RuleEdit("account:SIM-DEMO-1", "max_contracts", "mode", "alert")
    assert rule_edit_of("accounts[3].rules.max_contracts.limit", "6", accounts) is None
    assert rule_edit_of("notify.timezone", "UTC", accounts) is None


def test_a_restore_that_changes_rules_is_not_recorded_as_applied_live(tmp_path, caplog):
    from services.supervisor.commands.config_edits import run_edit
    sup = Sup(tmp_path, [ok(RulesReply())])
    got = []
    changed = EditResult(path=sup.loaded.path, backup="", digest="",
                         changes=("profiles.default.rules.max_contracts.limit: 5 -> 8",))
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        run_edit(sup, audited(got.append, "ConfigRestore", "admin", "admin:x"),
                 "restore 20261205T020000000000Z", lambda p, b: changed)
    outcome = [r.outcome for r in caplog.records if getattr(r, "audit", False)][-1]
    assert "applied live" not in outcome
    assert "a loosening waits for the trading-day roll" in outcome, outcome


def test_a_restore_worded_for_people_is_still_known_to_change_rules(tmp_path, caplog):
    """The audit's change lines name the account, not the key ("Demo 1: max_contracts limit
    5 -> 8"): whether rules changed is read from the changed keys."""
    from services.supervisor.commands.config_edits import run_edit
    sup = Sup(tmp_path, [ok(RulesReply())])
    changed = EditResult(path=sup.loaded.path, backup="", digest="",
                         changes=("Demo 1: max_contracts limit 5 -> 8 (was the profile's)",),
                         changed_keys=("accounts[0].rules.max_contracts.limit",))
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        run_edit(sup, audited([].append, "ConfigRestore", "admin", "admin:x"),
                 "restore 20261205T020000000000Z", lambda p, b: changed)
    outcome = [r.outcome for r in caplog.records if getattr(r, "audit", False)][-1]
    assert "a loosening waits for the trading-day roll" in outcome, outcome


def test_a_waiting_value_reads_as_screens_show_it_never_toml():
    """Trial 2026-12-05: `rules set` answered "riskd keeps tiers = [{loss = 100.00, seconds =
    300}, ...] until the roll" and "riskd keeps enabled = true" where status and watch showed
    "tiers=100.00->5m00s, ..."."""
    tiers = "[{loss = 100.00, seconds = 300}, {loss = 200.00, seconds = 900}]"
    reading = AccountRules(account_id=1001, name="SIM-DEMO-1", rules=[RuleValue(
        rule="cooldown_after_loss", enabled=True, mode="enforce", params={"tiers": tiers},
        waiting={"tiers": "[{loss = 500, seconds = 60}]"})])
    lines, _ = outcome_lines(RuleEdit("1001", "cooldown_after_loss", "tiers",
                                      "[{loss = 500, seconds = 60}]"), [reading], "Mon 17:00 CST")
    assert lines[0].startswith("SIM-DEMO-1 (id 1001): riskd keeps tiers 100.00->5m00s, 200.00->15m00s "
                               "until the roll at Mon 17:00 CST"), lines
    off = account(1001, "SIM-DEMO-1", waiting={"enabled": "false"})
    lines, _ = outcome_lines(RuleEdit("1001", "max_contracts", "enabled", "false"), [off],
                             "Mon 17:00 CST")
    assert lines[0].startswith("SIM-DEMO-1 (id 1001): riskd keeps the rule on until the roll"), lines
    assert "= " not in lines[0].split("`")[0] and "{" not in lines[0]


def test_a_tightening_over_a_waiting_loosening_reads_applied_not_kept():
    """Trial 2026-12-06: disable waiting, `rules set 1001 max_contracts limit 8` waiting, then
    `... limit 3` (tighter than the 5 in force): risk applied 3 at once, the answer said
    "riskd keeps limit 5 until the roll (a loosening waits)" and offered `rules override`,
    which would have switched the rule off now too."""
    applied = [account(1001, "SIM-DEMO-1", limit="3", waiting={"enabled": "false"})]
    lines, settled = outcome_lines(RuleEdit("1001", "max_contracts", "limit", "3"), applied,
                                   "17:00 CST")
    assert settled and lines == ["applied live on SIM-DEMO-1 (id 1001)"], lines
    # risk not having read the edit yet (limit 8 still waiting, 5 in force): not settled
    stale = [account(1001, "SIM-DEMO-1", limit="5", waiting={"limit": "8", "enabled": "false"})]
    assert outcome_lines(RuleEdit("1001", "max_contracts", "limit", "3"), stale,
                         "17:00 CST") == ([], False)
    # the loosening itself still reads as waiting
    lines, settled = outcome_lines(RuleEdit("1001", "max_contracts", "limit", "8"), stale,
                                   "17:00 CST")
    assert settled and lines[0].startswith("SIM-DEMO-1 (id 1001): riskd keeps limit 5"), lines


def test_the_reload_of_an_admins_rule_edit_says_who_changed_it(tmp_path, monkeypatch, caplog):
    """trial14b: risk's "in force now" alert did not say an admin changed the limit; the
    reload carries who and why (ConfigChanged.note) for it."""
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1", limit="4")]))])
    sup.requester = "admin:root"
    run(rules_set.COMMAND, sup, RulesSet(target="SIM-DEMO-1", rule="max_contracts",
                                         param="limit", value="4", reason="desk rule"),
        monkeypatch, caplog)
    assert sup.notes == ["changed by admin:root: desk rule"]


def test_a_profile_edit_every_account_overrides_says_so_at_once():
    """Trial17a section 9: `rules set profile:default max_contracts limit 4`, both accounts
    with a limit of their own, answered "no account shows it yet: risk has not read it, or
    every account keeps a value of its own": riskd knows which (the config sets them)."""
    readings = [account(1001, "SIM-DEMO-1", limit="5"), account(1002, "SIM-DEMO-2", limit="3")]
    edit = RuleEdit("profile:default", "max_contracts", "limit", "4")
    lines, settled = outcome_lines(edit, readings, "x", own={1001, 1002})
    assert settled
    assert lines == ["not changed on SIM-DEMO-1 (id 1001) at limit 5, SIM-DEMO-2 (id 1002) at "
                     "limit 3: each keeps a value of its own, set for that account (`riskctl "
                     "rules set ACCOUNT max_contracts limit VALUE` changes it)"], lines
    # one without a value of its own: risk has not read the edit yet, not settled
    assert outcome_lines(edit, readings, "x", own={1001}) == ([], False)
