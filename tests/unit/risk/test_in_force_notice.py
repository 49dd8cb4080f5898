"""A change to the trader's limits that is in force at once reaches the trader's phone the way a
loosening does: old -> new, and when (now). Fresh-user trial: `riskctl rules set default
max_contracts limit 3` ("applied live") and an admin's `rules override` sent no alert, while a
loosening did ("Demo 1: daily_realized_loss limit 500.00 -> 800.00, takes effect at the roll, ...").

The real RiskWorker on loopback sockets in this process (tests/unit/risk/test_waiting_notice.py's
fixture), its config etc/riskd.toml's, edited with the function `riskctl rules set` uses."""
from __future__ import annotations

from services.risk.loosening import NOW_TITLE
from shared.config.edit import set_rule_param
from shared.messages.risk import RulesOverrideRequest
from shared.rulenumbers import money_text
from tests.unit.risk.test_waiting_notice import ACCOUNT, reload, worker  # noqa: F401

NOTICE = "rules_in_force_now"


def in_force(sent) -> list[list[str]]:
    return [lines for kind, _sev, title, lines in sent if kind == NOTICE and title == NOW_TITLE]


def test_a_tightening_is_said_with_old_new_and_now(worker):  # noqa: F811
    w, path, backups, sent = worker
    limit = w.settings.for_account(w.engine.accounts[ACCOUNT]).max_contracts.limit
    set_rule_param(path, "default", "max_contracts", "limit", str(limit - 2), backups)
    reload(w, path)
    assert in_force(sent) == [[f"Demo 1 (id 1001): max_contracts limit {limit} -> {limit - 2}, "
                               "in force now"]]
    reload(w, path)                               # nothing changed: nothing said again
    assert len(in_force(sent)) == 1
    # a loosening waits: it is the other notice's, not this one's
    set_rule_param(path, "default", "max_contracts", "limit", str(limit + 1), backups)
    reload(w, path)
    assert len(in_force(sent)) == 1


def test_an_admin_override_is_said_with_old_new_now_and_who(worker):  # noqa: F811
    w, path, backups, sent = worker
    limit = w.settings.for_account(w.engine.accounts[ACCOUNT]).daily_realized_loss.limit
    set_rule_param(path, "default", "daily_realized_loss", "limit", str(limit + 300), backups)
    reload(w, path)
    assert in_force(sent) == []                   # it waits for the roll
    reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="funded, checked", by="admin:ana"))
    assert reply.ok, reply.reason
    # the answer names the account as the alert does (trial 2026-12-05: the broker's name)
    assert reply.reason.startswith("rule settings applied now; 1 waiting change taken early: "
                                   "Demo 1 (id 1001) daily_realized_loss: limit "), reply.reason
    assert in_force(sent) == [[f"Demo 1 (id 1001): daily_realized_loss limit {money_text(limit)} -> "
                               f"{money_text(limit + 300)}, "
                               "in force now (admin override by admin:ana: funded, checked)"]]


def test_a_line_set_where_there_was_none_reads_none_not_python(worker):  # noqa: F811
    """Trial 2026-12-05: `riskctl rules set default drawdown_guard line 48100` (the shipped
    profile has no line) alerted "Demo 1: drawdown_guard line None -> 48,100.00, in force now"
    while `audit show` read "none": the alert says it as screens and the audit trail do."""
    w, path, backups, sent = worker
    assert w.settings.for_account(w.engine.accounts[ACCOUNT]).drawdown_guard.line is None
    set_rule_param(path, "default", "drawdown_guard", "line", "48100", backups)
    reload(w, path)
    # the line in force before is riskd's own, 48,000.00, and said so (trial 21a section 4:
    # "line none -> 49,000.00" while 48,000.00 was in force); never Python's None
    assert in_force(sent) == [["Demo 1 (id 1001): drawdown_guard line 48,000.00 (none set: "
                               "riskd's own line, high-water mark - max_loss) -> 48,100.00, "
                               "in force now"]]


def test_the_alert_and_the_audit_trail_word_no_value_alike():
    from shared.config.changewords import rule_change
    from shared.rulenumbers import UNSET, setting_text
    old = {"profiles": {"default": {"rules": {"drawdown_guard": {"max_loss": 2000}}}}}
    new = {"profiles": {"default": {"rules": {"drawdown_guard": {"max_loss": 2000,
                                                                 "line": 48100}}}}}
    audit = rule_change(old, new, ("profile", "default", "drawdown_guard", "line"))
    assert f"line {UNSET} -> 48,100.00" in audit, audit
    assert setting_text("drawdown_guard", "line", None) == UNSET == "none"


def test_the_notice_names_the_account_of_each_line_for_the_chats_scopes(worker):  # noqa: F811
    """Trial 2026-12-06: a group that sees only SIM-DEMO-2 got Demo 1's limits. The event says
    whose each line is, so notify sends a chat only its accounts' lines
    (tests/unit/notify/test_rule_change_scope.py)."""
    w, path, backups, _sent = worker
    events = []
    publish = w.pub.publish
    w.pub.publish = lambda topic, msg: (events.append(msg), publish(topic, msg))
    limit = w.settings.for_account(w.engine.accounts[ACCOUNT]).max_contracts.limit
    set_rule_param(path, "default", "max_contracts", "limit", str(limit - 2), backups)
    set_rule_param(path, "default", "daily_realized_loss", "limit", "900", backups)
    reload(w, path)
    notices = [e for e in events if getattr(e, "kind", "") in (NOTICE, "rules_loosen_at_roll")]
    assert len(notices) == 2
    for e in notices:
        assert e.line_accounts == [ACCOUNT] * len(e.lines)


def test_an_admins_tightening_says_who_changed_it(worker):  # noqa: F811
    """trial14b: `rules set 1002 daily_realized_loss limit 1` put a breach lockout on the
    trader's phone right after "limit 300.00 -> 1.00, in force now", with no sign an admin
    had changed it. The supervisor's reload carries who and why (ConfigChanged.note, from
    config_edits.changed_note) and the alert says it."""
    from services.supervisor.commands.config_edits import changed_note
    from types import SimpleNamespace
    w, path, backups, sent = worker
    limit = w.settings.for_account(w.engine.accounts[ACCOUNT]).max_contracts.limit
    set_rule_param(path, "default", "max_contracts", "limit", str(limit - 2), backups)
    w.config_note = changed_note(SimpleNamespace(requester="admin:ana"), "desk rule")
    reload(w, path)
    assert in_force(sent) == [[f"Demo 1 (id 1001): max_contracts limit {limit} -> {limit - 2}, "
                               "in force now (changed by admin:ana: desk rule)"]]
