"""A self-lockout shorter than a lockout already holding the account: its alert's body said
"locked until 14:34 CST", its own end, as if the account were free then, while a cooldown held
it until 16:03 (the title said so; the body, which a phone shows under it, did not). The body
now says the longer lockout still holds and until when, in the step's alert (risk's
LockoutChange.over) and in a lone decision's (the lockouts notify knows); an admin's lockout
the same; a self-lockout that is the account's longest says only its end."""
from __future__ import annotations

from services.notify.steps import step_alert
from services.notify.templates import Context
from tests.unit.cli.screens import CHICAGO, NOW
from tests.unit.risk.desk import MNQ, NS, SIDE_SELL, Desk

COOLDOWN = {"tiers": [{"loss": 100, "seconds": 7200}], "flatten": False}      # 2 hours
LONGER = ("locked until Wed 14:34:27 CST; a longer lockout already holds the account: still "
          "locked until Wed 16:03:27 CST (cooldown_after_loss)")


def locked_for(minutes: int, admin: str = ""):
    desk = Desk(start=NOW, cooldown_after_loss=COOLDOWN)
    desk.long(1, MNQ, 21000)
    desk.trade("-150", contract=MNQ, side=SIDE_SELL)              # the 2-hour cooldown starts
    desk.wait(60)
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + minutes * 60 * NS,
                                         reason="tilted", **({"admin": admin} if admin else {}))
    assert refusal == ""
    return desk, out


def body(alert) -> list[str]:
    return [line for line in alert.lines if line.startswith("locked ")]


def test_the_steps_alert_says_the_longer_lockout_still_holds():
    _desk, out = locked_for(30)
    alert = step_alert([*out.lockouts, *out.decisions],
                       Context(tz=CHICAGO, accounts={1001: "Demo 1"}))
    assert body(alert) == [LONGER], alert.lines


def test_an_admins_shorter_lockout_says_it_too():
    _desk, out = locked_for(30, admin="admin:root")
    alert = step_alert([*out.lockouts, *out.decisions],
                       Context(tz=CHICAGO, accounts={1001: "Demo 1"}))
    assert body(alert) == [LONGER], alert.lines


def test_a_lone_decision_says_it_from_the_lockouts_notify_knows():
    desk, out = locked_for(30)
    known = {lk.id: lk for lk in desk.engine.lockouts.all(1001)}
    alert = step_alert(list(out.decisions),
                       Context(tz=CHICAGO, accounts={1001: "Demo 1"}, locks=known))
    assert body(alert) == [LONGER], alert.lines


def test_the_longest_lockout_says_only_its_end():
    _desk, out = locked_for(180)
    alert = step_alert([*out.lockouts, *out.decisions],
                       Context(tz=CHICAGO, accounts={1001: "Demo 1"}))
    # its end once, in the title (trial15c: a second title and a second "locked until")
    assert alert.title == "🔒 Demo 1 (id 1001) locked until Wed 17:04:27 CST (self_lockout)", \
        alert.title
    assert body(alert) == [], alert.lines
    assert alert.lines[0] == "self-lockout by the trader", alert.lines
