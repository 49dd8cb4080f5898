"""A rule edit risk would act on at once asks first (services/supervisor/commands/
rule_confirm.py): the answer is 'confirm_needed', naming each account, the rule, its new value
against the account's figure now and what riskd would do, and nothing is written; sent
confirmed it applies and its answer (the audit's outcome) says the admin confirmed it.

Fresh-user trial: a typo in `riskctl rules set 1001 drawdown_guard line ...` flattened the
account and locked it out at once, with no question. The supervisor's edit path and audit are
the real code; risk is stood in for by its answers (tests/unit/supervisor/
test_rule_edit_outcome.py's Sup)."""
from __future__ import annotations

from types import SimpleNamespace

from shared.config.notify import NotifyConfig
from shared.config.trading_day import TradingDayConfig
from shared.messages.config import RulesEnable, RulesSet
from shared.messages.risk import (FLATTEN, REDUCE_POSITION, TIMER, UNTIL_RESET, Decision,
                                  LockSpec, RulesReply)
from shared.messages.system import error, ok
from services.supervisor.commands import rules_enable, rules_set
from services.supervisor.commands.rule_confirm import act_line, confirm_reason, lock_words
from services.supervisor.commands.rule_outcome import RuleEdit
from shared import showtime
from tests.unit.supervisor.test_rule_edit_outcome import NOW_NS, Sup, account, run

NAMES = {"1001": "Demo 1", "1002": "Demo 2 (strict)"}
ROLL_NS = TradingDayConfig().calendar().next_roll(NOW_NS)       # Mon 17:00 CST
TZ = showtime.zone_of(SimpleNamespace(notify=NotifyConfig(), trading_day=TradingDayConfig()))


def drawdown(aid=1001) -> Decision:
    return Decision(id="p1", ts_ns=NOW_NS, rule="drawdown_guard", account_id=aid,
                    action=FLATTEN, lock=LockSpec(kind=UNTIL_RESET, until_ns=ROLL_NS),
                    reason="equity 49,999.13 is 49.13 above the firm's max-loss line "
                           "49,950.00, inside the 100.00 buffer where riskd acts",
                    what="flatten: close 1 position; lock the account until "
                         "the roll")


def reduce(aid=1002) -> Decision:
    return Decision(id="p2", ts_ns=NOW_NS, rule="max_contracts", account_id=aid,
                    action=REDUCE_POSITION, contract_id="CON.F.US.MNQ.Z26", size=2,
                    reason="4 contracts open (gross), limit 2: reduce MNQ by 2",
                    what="reduce MNQ by 2")


def test_the_reason_names_account_rule_value_figure_and_what_riskd_would_do():
    tz = TZ
    edit = RuleEdit("1001", "drawdown_guard", "line", "49950")
    text = confirm_reason("Demo 1 (id 1001) drawdown_guard.line", [drawdown()], edit, NAMES,
                          tz, NOW_NS)
    assert text == (
        "Demo 1 (id 1001) drawdown_guard.line: not saved: riskd would act on it at once on "
        "1 account:\n"
        "  Demo 1 (id 1001): drawdown_guard line 49,950.00; now equity 49,999.13 is 49.13 above "
        "the firm's max-loss line 49,950.00, inside the 100.00 buffer where riskd acts: riskd "
        "would flatten (close 1 position) and lock the account until the roll "
        "at Mon 17:00 CST"), text
    # another rule's action, a profile edit over two accounts: each named as riskd names it
    profile = RuleEdit("profile:default", "max_contracts", "limit", "2")
    both = confirm_reason("profile:default max_contracts.limit", [reduce(), drawdown()],
                          profile, NAMES, tz, NOW_NS)
    assert "riskd would act on it at once on 2 accounts:" in both
    assert ("  Demo 2 (strict, id 1002): max_contracts limit 2; now 4 contracts open (gross), "
            "limit 2: riskd would reduce MNQ by 2") in both.splitlines(), both   # said once
    assert "  Demo 1 (id 1001): drawdown_guard; now equity" in both
    # a timer on one symbol, a lockout with no end time
    timer = Decision(id="p3", ts_ns=NOW_NS, rule="trade_frequency_limit", account_id=1001,
                     action="none", lock=LockSpec(kind=TIMER, until_ns=NOW_NS + 60 * 10**9,
                                                  symbol="MNQ"), reason="3 trades per minute")
    assert lock_words(timer, tz, NOW_NS) == "lock MNQ on the account until Fri 20:32:34 CST (timer)"
    manual = Decision(id="p4", ts_ns=NOW_NS, rule="auth_loss_guard", account_id=1001,
                      action=FLATTEN, lock=LockSpec(kind="manual", clears_on="can_trade"))
    assert lock_words(manual, tz, NOW_NS) == \
        "lock the account until the broker allows trading again"
    assert act_line(timer, None, NAMES, tz, NOW_NS).endswith(
        "riskd would lock MNQ on the account until Fri 20:32:34 CST (timer)")


def test_an_edit_risk_would_act_on_is_refused_unconfirmed_and_nothing_is_written(
        tmp_path, monkeypatch, caplog):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
    sup.previews = [reduce(1001)]
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="SIM-DEMO-1", rule="max_contracts", param="limit", value="2"), monkeypatch, caplog)
    assert (reply.ok, reply.code) == (False, "confirm_needed")
    assert reply.reason.startswith("SIM-DEMO-1 (id 1001) max_contracts.limit: not saved: riskd "
                                   "would act on it at once on 1 account:\n  SIM-DEMO-1 (id "
                                   "1001): max_contracts limit 2; now 4 contracts"), reply.reason
    assert sup.reloads == 0 and sup.asked == 0            # not written, not applied
    assert outcome == f"confirm_needed: {reply.reason}"    # the audit: refused, and why


def test_a_confirmed_edit_applies_and_says_it_was_confirmed(tmp_path, monkeypatch, caplog):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1", limit="2")]))])
    sup.previews = [reduce(1001)]
    reply, outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="SIM-DEMO-1", rule="max_contracts", param="limit", value="2", confirmed=True),
        monkeypatch, caplog)
    assert reply.ok and sup.reloads == 1
    assert reply.reason.endswith("\n  confirmed by the admin: applied although riskd acts on it "
                                 "at once on SIM-DEMO-1 (id 1001)"), reply.reason
    assert outcome == f"ok: {reply.reason}"


def test_nothing_acting_applies_with_no_question(tmp_path, monkeypatch, caplog):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
    reply, _outcome = run(rules_enable.COMMAND, sup, RulesEnable(
        target="SIM-DEMO-1", rule="max_contracts", enabled=True), monkeypatch, caplog)
    assert reply.ok and sup.reloads == 1 and "confirmed" not in reply.reason


def test_risk_unable_to_say_asks_too(tmp_path, monkeypatch, caplog):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
    forward = sup.forward

    def silent(worker, request, respond, timeout=3.0):
        if type(request).__name__ == "RulesPreviewRequest":
            respond(error("timeout", "risk did not answer within 2.0 s"))
            return
        forward(worker, request, respond, timeout)
    sup.forward = silent
    reply, _outcome = run(rules_set.COMMAND, sup, RulesSet(
        target="SIM-DEMO-1", rule="max_contracts", param="limit", value="2"), monkeypatch, caplog)
    assert reply.code == "confirm_needed" and sup.reloads == 0
    assert reply.reason == ("SIM-DEMO-1 (id 1001) max_contracts.limit: not saved: riskd cannot "
                            "tell whether it would act on it at once (flatten, reduce, lock "
                            "out): risk: risk did not answer within 2.0 s"), reply.reason


def test_only_an_edit_of_what_rules_read_is_asked_about():
    from services.supervisor.commands.rule_confirm import judged
    assert not judged(["logging.level"]) and not judged(["notify.telegram.chat_ids"])
    assert judged(["profiles.default.rules.max_contracts.limit"])
    assert judged(["accounts[0].profile"]) and judged(["trading_day.roll_time"])


def test_the_audit_row_says_confirmed_only_when_it_was():
    from services.supervisor.audit import request_fields
    asked = RulesSet(target="1001", rule="drawdown_guard", param="line", value="49950")
    assert "confirmed" not in request_fields(asked)
    assert request_fields(RulesSet(target="1001", rule="drawdown_guard", param="line",
                                   value="49950", confirmed=True))["confirmed"] is True


def test_a_restore_riskd_would_act_on_asks_first_too(tmp_path, monkeypatch):
    """`config restore STAMP` of a stricter backup acts at once like any tightening."""
    from services.supervisor.commands import config_restore
    from shared.messages.config import ConfigRestore
    from tests.unit.supervisor.test_rule_edit_outcome import _no_write
    monkeypatch.setattr(config_restore, "run_edit", _no_write(config_restore.run_edit))
    for confirmed in (False, True):
        sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
        sup.previews = [reduce(1001)]
        got = []
        config_restore.COMMAND.execute(sup, ConfigRestore(stamp="20261205T213103246192Z",
                                                          confirmed=confirmed), got.append)
        assert len(got) == 1
        if confirmed:
            assert got[0].ok and sup.reloads == 1
            assert "confirmed by the admin" in got[0].reason, got[0].reason
        else:
            assert got[0].code == "confirm_needed" and sup.reloads == 0
            assert got[0].reason.startswith("restore 20261205T213103246192Z: not saved: riskd "
                                            "would act on it at once on 1 account:")


def _edit_with_warning(sup, confirmed: bool):
    """run_edit as config restore calls it for a backup that removes the admin password (trial
    14b), the edit touching a rule too: (reply,)."""
    from services.supervisor.commands.config_edits import run_edit
    from shared.config.edit import EditResult
    got = []
    run_edit(sup, got.append, "restore 20261206T151721164512Z",
             lambda p, b, dry_run=False: EditResult(
                 path=p, backup="", digest="", text="new" if dry_run else "",
                 changed_keys=("accounts[0].rules.max_contracts.limit",)),
             confirmed=confirmed,
             warn=("WARNING: it would remove the admin password",
                   "confirmed by the admin: the admin password removed"))
    for _ in range(100):
        if got:
            break
        sup.tick()
    return got[0]


def test_a_restore_removing_the_admin_password_asks_even_when_risk_would_not_act(tmp_path):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
    reply = _edit_with_warning(sup, confirmed=False)
    assert (reply.ok, reply.code) == (False, "confirm_needed") and sup.reloads == 0
    assert reply.reason == ("restore 20261206T151721164512Z: not saved: WARNING: it would "
                            "remove the admin password"), reply.reason


def test_risks_question_and_the_password_warning_are_asked_together(tmp_path):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
    sup.previews = [reduce(1001)]
    reply = _edit_with_warning(sup, confirmed=False)
    assert reply.code == "confirm_needed" and sup.reloads == 0
    assert "riskd would act on it at once on 1 account" in reply.reason
    assert reply.reason.endswith("\n  WARNING: it would remove the admin password")
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1", limit="2")]))])
    sup.previews = [reduce(1001)]
    done = _edit_with_warning(sup, confirmed=True)
    assert done.ok and sup.reloads == 1
    assert "confirmed by the admin: applied although riskd acts on it at once" in done.reason
    assert done.reason.endswith("\n  confirmed by the admin: the admin password removed")


def test_a_rule_turned_on_over_its_limit_reads_as_a_sentence():
    """Trial22b finding 8: `rules enable 1001 max_contracts` over the limit asked "Demo 1 (id
    1001): max_contracts the rule on; now 3 contracts open ...", a broken sentence."""
    enable = RuleEdit("1002", "max_contracts", "enabled", "true")
    line = act_line(reduce(), enable, NAMES, TZ, NOW_NS)
    assert line == ("Demo 2 (strict, id 1002): max_contracts turned on; now 4 contracts open "
                    "(gross), limit 2: riskd would reduce MNQ by 2"), line


RUN_EDIT = rules_set.run_edit
OLD = ("[[accounts]]\nid = 1001\nname = \"SIM-DEMO-1\"\n"
       "[accounts.rules.max_contracts]\nlimit = 5\n")


def loosened_or_tightened(sup, monkeypatch, limit: str):
    """rules_set's edit as the file shows it: the old file at the config's path, the dry run
    giving its text with the new limit (test_rule_edit_outcome's Sup writes nothing)."""
    from shared.config.edit import EditResult
    with open(sup.loaded.path, "w", encoding="utf-8") as f:
        f.write(OLD)
    key = "accounts[0].rules.max_contracts.limit"
    real = RUN_EDIT

    def patched(sup_, respond, key_, edit, rule_edit=None, **kw):
        return real(sup_, respond, key_, lambda p, b, dry_run=False: EditResult(
            path=p, backup="", digest="", text=OLD.replace("limit = 5", f"limit = {limit}")
            if dry_run else "", changes=(f"{key}: 5 -> {limit}",), changed_keys=(key,)),
            rule_edit, **kw)
    monkeypatch.setattr(rules_set, "run_edit", patched)


def risk_stopped(sup):
    forward, previews = sup.forward, []

    def stopped(worker, request, respond, timeout=3.0):
        if type(request).__name__ == "RulesPreviewRequest":
            previews.append(request)
            respond(error("unreachable", "risk is stopped (by admin:root)"))
            return
        forward(worker, request, respond, timeout)
    sup.forward = stopped
    return previews


def execute(sup, request):
    from services.supervisor.audit import audited
    got = []
    rules_set.COMMAND.execute(sup, request, audited(got.append, "RulesSet", "admin",
                                                    "admin:root", request))
    for _ in range(100):
        if got:
            break
        sup.tick()
    return got[0]


def test_a_loosening_is_saved_with_risk_unable_to_say(tmp_path, monkeypatch):
    """Trial23b section 7: with risk stopped, `rules set 1002 max_contracts limit 3` (1 -> 3)
    was refused "riskd cannot tell whether it would act on it at once ... Re-run with --yes".
    A loosening waits for the roll and acts on nothing at once: it is saved, risk not asked
    what it would do. A tightening still asks."""
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[account(1001, "SIM-DEMO-1")]))])
    previews = risk_stopped(sup)
    loosened_or_tightened(sup, monkeypatch, "8")
    reply = execute(sup, RulesSet(target="SIM-DEMO-1", rule="max_contracts", param="limit",
                                  value="8"))
    assert reply.ok and sup.reloads == 1 and previews == [], reply.reason
    assert ": saved;" in reply.reason and "cannot tell" not in reply.reason \
        and "confirmed by the admin" not in reply.reason, reply.reason
    loosened_or_tightened(sup, monkeypatch, "2")
    reply = execute(sup, RulesSet(target="SIM-DEMO-1", rule="max_contracts", param="limit",
                                  value="2"))
    assert reply.code == "confirm_needed" and "cannot tell" in reply.reason, reply.reason
    assert len(previews) == 1 and sup.reloads == 1


def test_only_loosening_edits_skip_the_question():
    from shared.config.edit import only_loosens
    old = "[profiles.default.rules.max_contracts]\nenabled = true\nlimit = 5\n"
    assert only_loosens(old, old.replace("limit = 5", "limit = 8"))
    assert not only_loosens(old, old.replace("limit = 5", "limit = 2"))        # tightening
    assert not only_loosens(old, old + "[trading_day]\nroll = \"16:00\"\n")     # not a rule
    assert not only_loosens(old, old)                                           # no change
