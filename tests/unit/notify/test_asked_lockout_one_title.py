"""A self-lockout's (or an admin's) alert has one title and gives the reason as a reason
(trial15c finding 11): the step's alert read "🔒 Demo 1 (id 1001) locked until Sun 13:45:52
CST (self_lockout)" then "🔒 Self-lockout on Demo 1 (id 1001)" and "locked until ..." again;
the trader's reason came bare ("tilted") where the admin's read "reason: broke desk rules".
Risk's own outcome of the request (its engine), through notify's step alert."""
from __future__ import annotations

from services.notify.steps import step_alert
from services.notify.templates import Context
from tests.unit.risk.desk import CHI, MNQ, NS, Desk

CTX = Context(tz=CHI, accounts={1001: "Demo 1"})


def _alert(**kw):
    desk = Desk()
    desk.long(1, MNQ, 21000)
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 1800 * NS, **kw)
    assert refusal == ""
    return step_alert([*out.lockouts, *out.decisions], CTX)


def test_a_self_lockout_has_one_title_and_says_its_reason_as_one():
    """Fails on main's code: the second title, "locked until" twice, the bare reason."""
    alert = _alert(reason="tilted")
    assert alert.title == "🔒 Demo 1 (id 1001) locked until Wed 09:30 CST (self_lockout)"
    assert list(alert.lines) == ["self-lockout by the trader",
                                 "action: flatten every position and cancel orders",
                                 "reason: tilted"], alert.lines


def test_an_admin_lockout_the_same():
    alert = _alert(reason="broke desk rules", admin="admin:root")
    assert alert.title == "🔒 Demo 1 (id 1001) locked until Wed 09:30 CST (admin_lockout)"
    assert list(alert.lines) == ["locked by the admin (admin:root)",
                                 "action: flatten every position and cancel orders",
                                 "reason: broke desk rules"], alert.lines


def test_with_no_reason_given_riskds_words_are_not_said_as_a_reason():
    alert = _alert()
    assert "reason:" not in alert.text and alert.lines[-1] == "locked by the trader", alert.lines
